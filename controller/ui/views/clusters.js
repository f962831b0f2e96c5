// SPDX-License-Identifier: GPL-2.0
// Projects and their registered clusters: registration, health, node IPs, last heartbeat.
import { CONTROLLER, PROJECTS_NAMESPACE, collection } from '../api.js';
import { ago, fill, h, table } from '../dom.js';
import { Live } from '../live.js';

const list = (v) => (Array.isArray(v) && v.length ? v.join(', ') : '-');

function projectRows(projects) {
  return projects.map((p) => [
    p.metadata.name,
    `kubeslice-${p.metadata.name}`,
    list(p.spec?.serviceAccount?.readOnly),
    list(p.spec?.serviceAccount?.readWrite),
  ]);
}

function clusterRow(c) {
  const st = c.status || {};
  const health = st.clusterHealth?.clusterHealthStatus || 'Unknown';
  return h('tr', { dataset: { cluster: c.metadata.name } },
    h('td', null, c.metadata.name),
    h('td', null, h('span', { class: `badge ${(st.registrationStatus || 'none').toLowerCase()}` },
      st.registrationStatus || 'not reported')),
    h('td', null, h('span', { class: `badge ${health.toLowerCase()}` }, health)),
    h('td', null, list(st.nodeIPs?.length ? st.nodeIPs : c.spec?.nodeIPs)),
    h('td', null, list(st.cniSubnet)),
    h('td', { title: st.clusterHealth?.lastUpdated || '' },
      ago(st.clusterHealth?.lastUpdated) || 'never'));
}

export function clustersPage(view, ctx) {
  const projects = h('div');
  const clusters = h('div');
  fill(view, h('h2', null, 'Project'), projects,
    h('h2', null, `Clusters of ${ctx.project}`), clusters);
  const lives = [
    new Live(collection(CONTROLLER, 'projects', PROJECTS_NAMESPACE), (items) =>
      fill(projects, table('projects', ['Project', 'Namespace', 'Read-only users',
        'Read-write users'], projectRows(items.filter((p) => p.metadata.name === ctx.project)),
      'not visible')), ctx.showError),
    new Live(collection(CONTROLLER, 'clusters', ctx.ns), (items) =>
      fill(clusters, table('clusters', ['Cluster', 'Registration', 'Health', 'Node IPs',
        'CNI subnets', 'Last heartbeat'], items.map(clusterRow),
      'No cluster is registered in this project yet.')), ctx.showError),
  ];
  return () => lives.forEach((l) => l.stop());
}
