// SPDX-License-Identifier: GPL-2.0
// The project's slices: subnet, clusters, QoS, isolation and health, with their actions.
import { CONTROLLER, WORKER, collection, remove } from '../api.js';
import { fill, h, table } from '../dom.js';
import { Live } from '../live.js';

export function qosText(spec) {
  if (spec.standardQosProfileName)
    return `profile ${spec.standardQosProfileName}`;
  const q = spec.qosProfileDetails;
  if (!q)
    return '-';
  return `${q.bandwidthGuaranteedKbps}..${q.bandwidthCeilingKbps} kbit/s, priority ` +
    `${q.priority ?? 0}, ${q.dscpClass}`;
}

export function isolationText(spec) {
  const iso = spec.namespaceIsolationProfile;
  if (!iso?.isolationEnabled)
    return 'off';
  const names = (iso.applicationNamespaces || []).map((n) => n.namespace);
  return `on (${names.join(', ') || 'no namespaces'})`;
}

/** Health per member cluster, from the WorkerSliceConfigs' status.sliceHealth. */
function healthCell(slice, workers) {
  const mine = workers.filter((w) => w.spec?.sliceName === slice.metadata.name);
  if (!mine.length)
    return 'not reported';
  return mine.map((w) => {
    const state = w.status?.sliceHealth?.sliceHealthStatus || 'Unknown';
    const cluster = w.metadata.labels?.['worker-cluster'] || w.metadata.name;
    return h('span', { class: `badge ${state.toLowerCase()}` }, `${cluster}: ${state}`);
  });
}

function deleteButton(slice, ctx) {
  const button = h('button', { type: 'button', class: 'danger', dataset: { action: 'delete' } },
    'Delete');
  button.addEventListener('click', async () => {
    if (button.dataset.armed !== 'yes') {
      button.dataset.armed = 'yes';
      button.textContent = `Really delete ${slice.metadata.name}?`;
      return;
    }
    button.disabled = true;
    try {
      await remove(`${collection(CONTROLLER, 'sliceconfigs', ctx.ns)}/` +
                   encodeURIComponent(slice.metadata.name));
    } catch (e) {
      ctx.showError(e);
      button.disabled = false;
      button.dataset.armed = 'no';
      button.textContent = 'Delete';
    }
  });
  return button;
}

function row(slice, workers, ctx) {
  const name = slice.metadata.name;
  const spec = slice.spec || {};
  const base = `#/${encodeURIComponent(ctx.project)}/slices/${encodeURIComponent(name)}`;
  return h('tr', { dataset: { slice: name } },
    h('td', null, h('a', { href: base }, name)),
    h('td', null, spec.sliceSubnet || '-'),
    h('td', null, (spec.clusters || []).join(', ') || '-'),
    h('td', null, qosText(spec)),
    h('td', null, isolationText(spec)),
    h('td', { class: 'health' }, healthCell(slice, workers)),
    h('td', { class: 'actions' },
      h('a', { href: base, class: 'button' }, 'Topology'),
      h('a', { href: `${base}/edit`, class: 'button', dataset: { action: 'edit' } }, 'Edit'),
      deleteButton(slice, ctx)));
}

export function slicesPage(view, ctx) {
  const body = h('div');
  let slices = [];
  let workers = [];
  const draw = () => fill(body, table('slices', ['Slice', 'Subnet', 'Clusters', 'QoS',
    'Isolation', 'Health', ''], slices.map((s) => row(s, workers, ctx)),
  'No slice yet.'));
  fill(view, h('div', { class: 'toolbar' }, h('h2', null, 'Slices'),
    h('a', { class: 'button primary', id: 'new-slice',
             href: `#/${encodeURIComponent(ctx.project)}/slices/-new` }, 'New slice')), body);
  const lives = [
    new Live(collection(CONTROLLER, 'sliceconfigs', ctx.ns), (items) => {
      slices = items;
      draw();
    }, ctx.showError),
    new Live(collection(WORKER, 'workersliceconfigs', ctx.ns), (items) => {
      workers = items;
      draw();
    }, ctx.showError),
  ];
  return () => lives.forEach((l) => l.stop());
}
