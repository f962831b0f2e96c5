// SPDX-License-Identifier: GPL-2.0
// Exported services (ServiceExportConfigs) and the clusters that import them
// (WorkerServiceImports), with their endpoints and ports.
import { CONTROLLER, WORKER, collection } from '../api.js';
import { fill, h, table } from '../dom.js';
import { Live } from '../live.js';

const same = (exp, imp) => imp.spec?.serviceName === exp.spec?.serviceName &&
  imp.spec?.serviceNamespace === exp.spec?.serviceNamespace &&
  imp.spec?.sliceName === exp.spec?.sliceName;

function endpoints(spec) {
  const eps = spec?.serviceDiscoveryEndpoints || [];
  if (!eps.length)
    return 'none yet';
  return h('ul', { class: 'plain' }, eps.map((e) => h('li', null,
    `${e.podName || '?'} @ ${e.cluster || '?'}: ${e.nsmIp || '?'}:${e.port ?? '?'}`)));
}

const ports = (spec) => (spec?.serviceDiscoveryPorts || [])
  .map((p) => `${p.name ? `${p.name} ` : ''}${p.port}/${p.protocol || 'TCP'}`).join(', ') || '-';

function row(exp, imports) {
  const spec = exp.spec || {};
  // KubeSlice imports a service into its source cluster too: "imported in" the others
  const where = imports.filter((i) => same(exp, i))
    .map((i) => i.metadata.labels?.['worker-cluster'] || i.metadata.name)
    .filter((c) => c !== spec.sourceCluster).sort();
  return h('tr', { dataset: { export: exp.metadata.name } },
    h('td', null, `${spec.serviceName}.${spec.serviceNamespace}`),
    h('td', null, spec.sliceName || '-'), h('td', null, spec.sourceCluster || '-'),
    h('td', null, endpoints(spec)), h('td', null, ports(spec)),
    h('td', null, (spec.aliases || []).join(', ') || '-'),
    h('td', { class: 'imported-in' }, where.join(', ') || 'nowhere yet'));
}

export function servicesPage(view, ctx) {
  const body = h('div');
  let exports = [];
  let imports = [];
  const draw = () => fill(body, table('services', ['Service', 'Slice', 'Exported from',
    'Endpoints', 'Ports', 'Aliases', 'Imported in'], exports.map((e) => row(e, imports)),
  'No service is exported in this project.'));
  fill(view, h('h2', null, 'Exported services'),
    h('p', null, 'Names resolve as <service>.<namespace>.svc.slice.local in every cluster ' +
      'of the slice.'), body);
  const lives = [
    new Live(collection(CONTROLLER, 'serviceexportconfigs', ctx.ns), (items) => {
      exports = items;
      draw();
    }, ctx.showError),
    new Live(collection(WORKER, 'workerserviceimports', ctx.ns), (items) => {
      imports = items;
      draw();
    }, ctx.showError),
  ];
  return () => lives.forEach((l) => l.stop());
}
