// SPDX-License-Identifier: GPL-2.0
// Create or edit a SliceConfig. The API validates: its Status causes are shown beside the
// fields they name, so the page has no rules of its own to drift from the server's.
import { ApiError, CONTROLLER, collection, create, get, replace } from '../api.js';
import { fill, h } from '../dom.js';

const DSCP = ['Default', 'AF11', 'AF12', 'AF13', 'AF21', 'AF22', 'AF23', 'AF31', 'AF32',
              'AF33', 'AF41', 'AF42', 'AF43', 'EF'];
const CIPHERS = ['AES-256-GCM', 'ChaCha20-Poly1305'];

/** A labelled input; field is the API's path of the value, where its errors go. */
function field(label, fieldPath, input, hint) {
  const id = `f-${fieldPath.replace(/[^a-zA-Z0-9]+/g, '-')}`;
  input.id = input.id || id;
  return h('div', { class: 'field', dataset: { field: fieldPath } },
    h('label', { for: input.id }, label), input,
    hint ? h('small', null, hint) : null,
    h('p', { class: 'field-error', role: 'alert' }));
}

const text = (name, value, attrs = {}) =>
  h('input', { type: 'text', name, value: value ?? '', autocomplete: 'off', ...attrs });
const number = (name, value, attrs = {}) =>
  h('input', { type: 'number', name, value: value ?? '', ...attrs });
const select = (name, options, value) =>
  h('select', { name }, options.map((o) => h('option', { value: o, selected: o === value }, o)));

const namespaces = (list) => (list || []).map((n) => n.namespace).join(', ');
const toNamespaces = (s) => s.split(/[\s,]+/).filter(Boolean)
  .map((namespace) => ({ namespace, clusters: ['*'] }));
const intOrText = (v) => (/^-?\d+$/.test(v.trim()) ? Number(v) : v.trim());

function form(slice, clusters, profiles, editing) {
  const spec = slice.spec;
  const q = spec.qosProfileDetails || {};
  const iso = spec.namespaceIsolationProfile || {};
  const useProfile = !!spec.standardQosProfileName || (!spec.qosProfileDetails &&
                                                       profiles.length > 0);
  const members = new Set(spec.clusters || []);
  // every Cluster of the project, with its registration state when it is not Registered
  const checks = clusters.map((c) => {
    const reg = c.status?.registrationStatus;
    return h('label', { class: 'check' },
      h('input', { type: 'checkbox', name: 'cluster', value: c.metadata.name,
                   checked: members.has(c.metadata.name) }), c.metadata.name,
      reg === 'Registered' ? null : h('small', null, ` (${reg || 'not registered yet'})`));
  });
  return h('form', { class: 'slice-form', novalidate: true },
    field('Name', 'metadata.name', text('name', slice.metadata.name, { disabled: editing })),
    field('Slice subnet', 'spec.sliceSubnet', text('sliceSubnet', spec.sliceSubnet,
      { disabled: editing, placeholder: '10.1.0.0/16' }),
    'a private /16, split among the clusters; it cannot change later'),
    field('Maximum clusters', 'spec.maxClusters', number('maxClusters', spec.maxClusters ?? 16,
      { disabled: editing }), 'sets each cluster\'s share of the subnet; it cannot change later'),
    field('Clusters', 'spec.clusters', h('div', { class: 'checks', id: 'f-clusters' },
      checks.length ? checks : 'No cluster is registered in this project.')),
    h('fieldset', null, h('legend', null, 'QoS'),
      h('label', { class: 'check' }, h('input', { type: 'radio', name: 'qos', value: 'profile',
        checked: useProfile, disabled: !profiles.length }), 'a SliceQoSConfig profile'),
      h('label', { class: 'check' }, h('input', { type: 'radio', name: 'qos', value: 'custom',
        checked: !useProfile }), 'this slice\'s own'),
      h('div', { class: 'qos-profile', hidden: !useProfile },
        field('Profile', 'spec.standardQosProfileName', select('standardQosProfileName',
          profiles.map((p) => p.metadata.name), spec.standardQosProfileName))),
      h('div', { class: 'qos-custom', hidden: useProfile },
        field('Priority (0 highest .. 7)', 'spec.qosProfileDetails.priority',
          number('priority', q.priority ?? 1, { min: 0, max: 7 })),
        field('Ceiling, kbit/s', 'spec.qosProfileDetails.bandwidthCeilingKbps',
          number('bandwidthCeilingKbps', q.bandwidthCeilingKbps ?? 20000)),
        field('Guaranteed, kbit/s', 'spec.qosProfileDetails.bandwidthGuaranteedKbps',
          number('bandwidthGuaranteedKbps', q.bandwidthGuaranteedKbps ?? 5000)),
        field('DSCP class', 'spec.qosProfileDetails.dscpClass',
          select('dscpClass', DSCP, q.dscpClass || 'AF11'))),
      h('p', { class: 'field-error', dataset: { field: 'spec.qosProfileDetails' } })),
    h('fieldset', null, h('legend', null, 'Namespace isolation'),
      h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'isolationEnabled',
        checked: !!iso.isolationEnabled }), 'only the slice\'s namespaces reach its pods'),
      field('Application namespaces', 'spec.namespaceIsolationProfile.applicationNamespaces',
        text('applicationNamespaces', namespaces(iso.applicationNamespaces),
          { placeholder: 'shop, payments' }), 'in every member cluster'),
      field('Also allowed', 'spec.namespaceIsolationProfile.allowedNamespaces',
        text('allowedNamespaces', namespaces(iso.allowedNamespaces)))),
    field('Tunnel cipher', 'spec.vpnConfig.cipher',
      select('cipher', CIPHERS, spec.vpnConfig?.cipher || CIPHERS[0])),
    h('div', { class: 'form-errors', role: 'alert' }),
    h('div', { class: 'toolbar' },
      h('button', { type: 'submit', class: 'primary' }, editing ? 'Save' : 'Create slice'),
      h('a', { class: 'button', href: '#' }, 'Cancel')));
}

/** The SliceConfig the form describes, on top of the stored one (its other fields kept). */
function sliceOf(f, base) {
  const v = (n) => f.elements[n].value;
  const obj = structuredClone(base);
  const spec = obj.spec;
  obj.metadata.name = v('name').trim();
  spec.sliceSubnet = v('sliceSubnet').trim();
  spec.maxClusters = intOrText(v('maxClusters'));
  spec.clusters = [...f.querySelectorAll('input[name=cluster]:checked')].map((c) => c.value);
  spec.sliceType ??= 'Application';
  spec.sliceIpamType ??= 'Local';
  spec.sliceGatewayProvider ??= { sliceGatewayType: 'OpenVPN', sliceCaType: 'Local' };
  delete spec.standardQosProfileName;
  delete spec.qosProfileDetails;
  if (f.elements.qos.value === 'profile') {
    spec.standardQosProfileName = v('standardQosProfileName');
  } else {
    spec.qosProfileDetails = {
      queueType: 'HTB', tcType: 'BANDWIDTH_CONTROL', priority: intOrText(v('priority')),
      bandwidthCeilingKbps: intOrText(v('bandwidthCeilingKbps')),
      bandwidthGuaranteedKbps: intOrText(v('bandwidthGuaranteedKbps')),
      dscpClass: v('dscpClass'),
    };
  }
  spec.namespaceIsolationProfile = {
    isolationEnabled: f.elements.isolationEnabled.checked,
    applicationNamespaces: toNamespaces(v('applicationNamespaces')),
    allowedNamespaces: toNamespaces(v('allowedNamespaces')),
  };
  spec.vpnConfig = { ...spec.vpnConfig, cipher: v('cipher') };
  return obj;
}

/** Each cause goes beside the field whose path is the longest prefix of the cause's. */
function showCauses(f, e) {
  for (const p of f.querySelectorAll('.field-error'))
    p.replaceChildren();
  f.querySelectorAll('.invalid').forEach((el) => el.classList.remove('invalid'));
  const homes = [...f.querySelectorAll('[data-field]')];
  const general = [];
  for (const c of e.causes) {
    const path = c.field || '';
    const home = homes.filter((el) => {
      const p = el.dataset.field;
      return path === p || path.startsWith(`${p}.`) || path.startsWith(`${p}[`);
    }).sort((a, b) => b.dataset.field.length - a.dataset.field.length)[0];
    const where = home?.matches('.field-error') ? home : home?.querySelector('.field-error');
    if (where) {
      where.append(h('span', null, c.message));
      home.classList.add('invalid');
    } else {
      general.push(`${path ? `${path}: ` : ''}${c.message}`);
    }
  }
  const box = f.querySelector('.form-errors');
  fill(box, h('p', null, `${e.reason || 'Error'} (${e.code}): ${e.message}`),
    general.length ? h('ul', null, general.map((g) => h('li', null, g))) : null);
}

export function sliceFormPage(view, ctx) {
  const editing = ctx.name !== '-new';
  const path = collection(CONTROLLER, 'sliceconfigs', ctx.ns);
  let stopped = false;
  fill(view, h('h2', null, editing ? `Edit slice ${ctx.name}` : 'New slice'),
    h('p', null, 'Loading...'));
  (async () => {
    const [clusters, profiles, slice] = await Promise.all([
      get(collection(CONTROLLER, 'clusters', ctx.ns)),
      get(collection(CONTROLLER, 'sliceqosconfigs', ctx.ns)),
      editing ? get(`${path}/${encodeURIComponent(ctx.name)}`) : {
        apiVersion: 'controller.kubeslice.io/v1alpha1', kind: 'SliceConfig',
        metadata: { name: '', namespace: ctx.ns }, spec: { maxClusters: 16 },
      },
    ]);
    if (stopped)
      return;
    const f = form(slice, clusters.items, profiles.items, editing);
    f.addEventListener('change', (ev) => {
      if (ev.target.name !== 'qos')
        return;
      f.querySelector('.qos-profile').hidden = ev.target.value !== 'profile';
      f.querySelector('.qos-custom').hidden = ev.target.value !== 'custom';
    });
    f.querySelector('a.button').href = `#/${encodeURIComponent(ctx.project)}/slices`;
    f.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const obj = sliceOf(f, slice);
      const button = f.querySelector('button[type=submit]');
      button.disabled = true;
      try {
        if (editing)
          await replace(`${path}/${encodeURIComponent(ctx.name)}`, obj);
        else
          await create(path, obj);
        ctx.go(ctx.project, 'slices');
      } catch (e) {
        if (!(e instanceof ApiError))
          throw e;
        showCauses(f, e);
      } finally {
        button.disabled = false;
      }
    });
    fill(view, h('h2', null, editing ? `Edit slice ${ctx.name}` : 'New slice'), f);
  })().catch((e) => ctx.showError(e));
  return () => { stopped = true; };
}
