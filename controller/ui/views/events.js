// SPDX-License-Identifier: GPL-2.0
// The project's Events, newest first, filterable by the object they are about.
import { CORE, collection } from '../api.js';
import { ago, fill, h, table } from '../dom.js';
import { Live } from '../live.js';

const when = (e) => e.lastTimestamp || e.eventTime || e.metadata.creationTimestamp || '';
const about = (e) => `${e.involvedObject?.kind || '?'}:${e.involvedObject?.name || '?'}`;

export function eventsPage(view, ctx) {
  const filter = h('select', { id: 'event-object' });
  const body = h('div');
  let events = [];
  let chosen = ctx.name || '';

  function draw() {
    const objects = [...new Set(events.map(about))].sort();
    if (chosen && !objects.includes(chosen))
      objects.unshift(chosen);
    fill(filter, h('option', { value: '' }, 'every object'),
      objects.map((o) => h('option', { value: o, selected: o === chosen }, o)));
    const shown = events.filter((e) => !chosen || about(e) === chosen)
      .sort((a, b) => when(b).localeCompare(when(a)));
    fill(body, table('events', ['When', 'Type', 'Reason', 'Object', 'Message', 'Count'],
      shown.map((e) => h('tr', { class: (e.type || '').toLowerCase() },
        h('td', { title: when(e) }, ago(when(e))), h('td', null, e.type || ''),
        h('td', null, e.reason || ''), h('td', null, about(e)),
        h('td', null, e.message || ''), h('td', null, e.count ?? 1))),
      'No events.'));
  }

  filter.addEventListener('change', () => {
    chosen = filter.value;
    // the address follows the filter without reloading the page
    const parts = [ctx.project, 'events', ...(chosen ? [chosen] : [])];
    history.replaceState(null, '', `#/${parts.map(encodeURIComponent).join('/')}`);
    draw();
  });
  fill(view, h('div', { class: 'toolbar' }, h('h2', null, 'Events'),
    h('label', null, 'About ', filter)), body);
  const live = new Live(collection(CORE, 'events', ctx.ns), (items) => {
    events = items;
    draw();
  }, ctx.showError);
  return () => live.stop();
}
