// SPDX-License-Identifier: GPL-2.0
// A slice's topology: its clusters as nodes, its gateway pairs as edges coloured by tunnel
// state and labelled with what the gateways report (WorkerSliceGateway status.tunnelStatus),
// redrawn on every watch event.
import { CONTROLLER, WORKER, collection } from '../api.js';
import { ago, fill, h, rate, s, table } from '../dom.js';
import { Live } from '../live.js';
import { isolationText, qosText } from './slices.js';

const W = 820;
const H = 520;
const R = 34;

const tunnel = (gw) => gw?.status?.tunnelStatus;
const local = (gw) => gw.spec?.localGatewayConfig?.clusterName ||
  gw.metadata.labels?.['worker-cluster'];
const remote = (gw) => gw.spec?.remoteGatewayConfig?.clusterName ||
  gw.metadata.labels?.['remote-cluster'];

/** The redundant gateway pairs a WorkerSliceGateway describes (api/gateways.h). */
const pairs = (gw) => Math.max(1, gw.spec?.localGatewayConfig?.nodePorts?.length || 0);

/** One edge per cluster pair, with both sides' gateways on it. */
function edgesOf(gateways) {
  const edges = new Map();
  for (const gw of gateways) {
    const [a, b] = [local(gw), remote(gw)].sort();
    const key = `${a}--${b}`;
    if (!edges.has(key))
      edges.set(key, { a, b, sides: [] });
    edges.get(key).sides.push(gw);
  }
  for (const e of edges.values()) {
    const states = e.sides.map((g) => tunnel(g)?.TunnelState).filter(Boolean);
    e.state = states.some((x) => x !== 'UP') ? 'down' : states.length ? 'up' : 'unknown';
    e.sides.sort((x, y) => local(x).localeCompare(local(y)));
  }
  return [...edges.values()];
}

function layout(names) {
  const pos = new Map();
  const cx = W / 2;
  const cy = H / 2;
  const r = names.length > 1 ? Math.min(W, H) / 2 - R - 40 : 0;
  names.forEach((n, i) => {
    const t = -Math.PI / 2 + (2 * Math.PI * i) / names.length;
    pos.set(n, { x: cx + r * Math.cos(t), y: cy + r * Math.sin(t) });
  });
  return pos;
}

/** Short lines for an edge: the worst latency and loss of its sides, the rates the first
 * side reports (each side's are in the table below), and its redundant pairs. */
function metrics(e) {
  const ts = e.sides.map(tunnel).filter(Boolean);
  const n = Math.max(...e.sides.map(pairs));
  const lines = n > 1 ? [`${n} gateway pairs`] : [];
  if (!ts.length)
    return ['no status yet', ...lines];
  const lat = ts.map((t) => t.Latency).filter((l) => typeof l === 'number');
  const loss = Math.max(...ts.map((t) => t.PacketLoss ?? 0));
  return [`${lat.length ? `${Math.max(...lat).toFixed(1)} ms` : '- ms'}, ${loss.toFixed(0)}% loss`,
          `tx ${rate(ts[0].TxRate)}, rx ${rate(ts[0].RxRate)}`, ...lines];
}

function drawEdge(e, pos) {
  const p = pos.get(e.a);
  const q = pos.get(e.b);
  if (!p || !q)
    return null;
  const mx = (p.x + q.x) / 2;
  const my = (p.y + q.y) / 2;
  const labels = metrics(e).map((line, i) => s('text', { x: mx, y: my + 14 * i - 2,
    class: 'edge-label', 'text-anchor': 'middle' }, line));
  return s('g', { class: `edge ${e.state}`, dataset: { edge: `${e.a}--${e.b}`, state: e.state } },
    s('title', null, `${e.a} \u2194 ${e.b}: ${e.state}`),
    s('line', { x1: p.x, y1: p.y, x2: q.x, y2: q.y }), labels);
}

function drawNode(name, p, worker, cluster) {
  const health = cluster?.status?.clusterHealth?.clusterHealthStatus || 'Unknown';
  return s('g', { class: `node ${health.toLowerCase()}`, dataset: { node: name } },
    s('circle', { cx: p.x, cy: p.y, r: R }),
    s('text', { x: p.x, y: p.y + 4, 'text-anchor': 'middle', class: 'node-name' }, name),
    s('text', { x: p.x, y: p.y + R + 16, 'text-anchor': 'middle', class: 'node-subnet' },
      worker?.spec?.clusterSubnetCIDR || ''));
}

function gatewayRows(gateways) {
  return gateways.map((gw) => {
    const t = tunnel(gw) || {};
    const state = t.TunnelState || 'no status';
    return h('tr', { dataset: { gateway: gw.metadata.name } },
      h('td', null, gw.metadata.name), h('td', null, `${local(gw)} \u2192 ${remote(gw)}`),
      h('td', null, gw.spec?.gatewayHostType || '-'), h('td', null, pairs(gw)),
      h('td', null, h('span', { class: `badge ${state.toLowerCase()}` }, state)),
      h('td', null, typeof t.Latency === 'number' ? `${t.Latency.toFixed(1)} ms` : '-'),
      h('td', null, typeof t.PacketLoss === 'number' ? `${t.PacketLoss.toFixed(1)} %` : '-'),
      h('td', null, rate(t.TxRate)), h('td', null, rate(t.RxRate)),
      h('td', { title: t.LastUpdated || '' }, ago(t.LastUpdated) || '-'));
  });
}

export function topologyPage(view, ctx) {
  const head = h('div');
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'topology', role: 'img',
                         'aria-label': `topology of slice ${ctx.name}` });
  const gwTable = h('div');
  const state = { slice: null, gateways: [], workers: [], clusters: [] };
  const events = `#/${encodeURIComponent(ctx.project)}/events/` +
    encodeURIComponent(`SliceConfig:${ctx.name}`);

  function draw() {
    const spec = state.slice?.spec;
    fill(head, spec ? h('dl', { class: 'facts' },
      h('dt', null, 'Subnet'), h('dd', null, spec.sliceSubnet),
      h('dt', null, 'QoS'), h('dd', null, qosText(spec)),
      h('dt', null, 'Isolation'), h('dd', null, isolationText(spec)),
      h('dt', null, 'Events'), h('dd', null, h('a', { href: events }, 'of this slice'))) :
      h('p', { class: 'empty' }, `There is no slice ${ctx.name} (yet).`));
    const names = spec?.clusters || [];
    const pos = layout(names);
    const edges = edgesOf(state.gateways);
    const workerOf = (n) => state.workers.find((w) => w.metadata.labels?.['worker-cluster'] === n);
    const clusterOf = (n) => state.clusters.find((c) => c.metadata.name === n);
    fill(svg, s('g', { class: 'edges' }, edges.map((e) => drawEdge(e, pos))),
      s('g', { class: 'nodes' }, names.map((n) => drawNode(n, pos.get(n), workerOf(n),
        clusterOf(n)))));
    fill(gwTable, table('gateways', ['Gateway', 'Tunnel', 'Role', 'Pairs', 'State', 'Latency',
      'Loss', 'Tx', 'Rx', 'Updated'], gatewayRows(state.gateways), 'No gateway yet.'));
  }

  fill(view, h('h2', null, `Slice ${ctx.name}`), head,
    h('div', { class: 'legend' }, h('span', { class: 'edge-key up' }, 'tunnel up'),
      h('span', { class: 'edge-key down' }, 'down'),
      h('span', { class: 'edge-key unknown' }, 'no status yet')), svg,
    h('h3', null, 'Gateways'), gwTable);
  const bySlice = `?labelSelector=${encodeURIComponent(`original-slice-name=${ctx.name}`)}`;
  const set = (k) => (items) => { state[k] = items; draw(); };
  const lives = [
    new Live(`${collection(CONTROLLER, 'sliceconfigs', ctx.ns)}?fieldSelector=` +
      encodeURIComponent(`metadata.name=${ctx.name}`), (items) => {
      [state.slice] = items;
      draw();
    }, ctx.showError),
    new Live(collection(WORKER, 'workerslicegateways', ctx.ns) + bySlice, set('gateways'),
      ctx.showError),
    new Live(collection(WORKER, 'workersliceconfigs', ctx.ns) + bySlice, set('workers'),
      ctx.showError),
    new Live(collection(CONTROLLER, 'clusters', ctx.ns), set('clusters'), ctx.showError),
  ];
  return () => lives.forEach((l) => l.stop());
}
