// SPDX-License-Identifier: GPL-2.0
// Building DOM nodes from data. Text always goes in as text nodes, never as markup, so a
// name or a message from the API cannot become HTML.

const SVG_NS = 'http://www.w3.org/2000/svg';

function build(el, attrs, children) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false)
      continue;
    if (k.startsWith('on'))
      el.addEventListener(k.slice(2), v);
    else if (k === 'dataset')
      Object.assign(el.dataset, v);
    else
      el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false)
      continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** h('tag', {attr: value, onclick: fn}, ...children): an HTML element. */
export const h = (tag, attrs, ...children) => build(document.createElement(tag), attrs, children);

/** The same for SVG elements. */
export const s = (tag, attrs, ...children) =>
  build(document.createElementNS(SVG_NS, tag), attrs, children);

/** Replaces the children of el. */
export function fill(el, ...children) {
  el.replaceChildren();
  return build(el, null, children);
}

/** A table with a header row; rows is a list of lists of cells (or of <tr>s). */
export function table(cls, headers, rows, empty) {
  return h('table', { class: cls },
    h('thead', null, h('tr', null, headers.map((t) => h('th', null, t)))),
    h('tbody', null, rows.length ? rows.map((r) => r instanceof Node ? r :
      h('tr', null, r.map((c) => h('td', null, c)))) :
      h('tr', null, h('td', { colspan: headers.length, class: 'empty' }, empty))));
}

/** "3 s ago" for an RFC 3339 time, or "" when there is none. */
export function ago(stamp) {
  const t = Date.parse(stamp || '');
  if (Number.isNaN(t))
    return '';
  const s = Math.max(0, Math.round((Date.now() - t) / 1000));
  if (s < 120)
    return `${s} s ago`;
  if (s < 7200)
    return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}

/** A bit rate for people: "12.3 Mbit/s". */
export function rate(bps) {
  if (typeof bps !== 'number')
    return '-';
  const units = ['bit/s', 'kbit/s', 'Mbit/s', 'Gbit/s'];
  let i = 0;
  while (bps >= 1000 && i < units.length - 1) {
    bps /= 1000;
    i++;
  }
  return `${bps.toFixed(bps < 10 && i ? 1 : 0)} ${units[i]}`;
}
