// SPDX-License-Identifier: GPL-2.0
// The Slice Manager's shell: login, the project picker and the page router. Routes live in
// the URL's fragment (#/<project>/<page>[/<name>[/<action>]]), which never reaches a server.
import { ApiError, CONTROLLER, PROJECTS_NAMESPACE, collection, get, projectNamespace, session,
         tokenFrom } from './api.js';
import { fill, h } from './dom.js';
import { clustersPage } from './views/clusters.js';
import { eventsPage } from './views/events.js';
import { servicesPage } from './views/services.js';
import { sliceFormPage } from './views/slice-form.js';
import { slicesPage } from './views/slices.js';
import { topologyPage } from './views/topology.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const picker = document.getElementById('project');
const notice = document.getElementById('notice');
let stopPage = null;

const pages = {
  clusters: clustersPage,
  slices: slicesPage,
  services: servicesPage,
  events: eventsPage,
};

/** Shows an API failure (or any message) in the banner; cleared by the next page. */
export function showError(e) {
  const text = e instanceof ApiError ?
    `${e.reason || 'Error'} (${e.code}): ${e.message}` : String(e.message || e);
  fill(notice, text);
  notice.hidden = false;
}

function clearError() {
  notice.hidden = true;
  notice.replaceChildren();
}

function route() {
  const [project, page = 'clusters', name, action] =
    location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  return { project, page, name, action };
}

export function go(project, ...parts) {
  location.hash = '#/' + [project, ...parts].map(encodeURIComponent).join('/');
}

function pageFor(r) {
  if (r.page === 'slices' && r.name === undefined)
    return slicesPage;
  if (r.page === 'slices' && (r.name === '-new' || r.action === 'edit'))
    return sliceFormPage;
  if (r.page === 'slices')
    return topologyPage;
  return pages[r.page];
}

function render() {
  if (stopPage)
    stopPage();
  stopPage = null;
  clearError();
  const r = route();
  const projects = [...picker.options].map((o) => o.value);
  if (!projects.includes(r.project)) {
    if (projects.length)
      go(projects[0], 'clusters');
    else
      fill(main, h('p', { class: 'empty' }, 'No project is visible to this token. An admin ' +
        'creates one with kubectl apply -f project.yaml.'));
    return;
  }
  picker.value = r.project;
  for (const a of nav.querySelectorAll('a[data-page]')) {
    a.href = `#/${encodeURIComponent(r.project)}/${a.dataset.page}`;
    a.classList.toggle('current', a.dataset.page === r.page);
  }
  const page = pageFor(r);
  if (!page) {
    fill(main, h('p', null, `There is no page "${r.page}".`));
    return;
  }
  const view = h('section', { class: `page page-${r.page}` });
  fill(main, view);
  stopPage = page(view, { ...r, ns: projectNamespace(r.project), go, showError });
}

function loginForm(message) {
  nav.hidden = true;
  const input = h('textarea', { id: 'token', rows: 6, autocomplete: 'off', spellcheck: 'false',
    placeholder: 'a bearer token, or a kubeconfig whose user has a token' });
  const error = h('p', { class: 'field-error', id: 'login-error', role: 'alert' }, message);
  const form = h('form', { class: 'login', novalidate: true },
    h('h2', null, 'Log in'),
    h('p', null, 'Paste a token (the admin token, or a project user\'s from its Secret ' +
      'kubeslice-rbac-ro-<user> or kubeslice-rbac-rw-<user>), or a whole kubeconfig. It is ' +
      'kept in this tab only and sent to the controller as a bearer token, as kubectl does.'),
    h('label', { for: 'token' }, 'Token or kubeconfig'), input, error,
    h('button', { type: 'submit' }, 'Log in'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    try {
      session.token = tokenFrom(input.value);
    } catch (e) {
      fill(error, e.message);
      return;
    }
    start();
  });
  fill(main, form);
  input.focus();
}

async function start() {
  if (stopPage)
    stopPage();
  stopPage = null;
  if (!session.token)
    return loginForm('');
  let projects;
  try {
    projects = (await get(collection(CONTROLLER, 'projects', PROJECTS_NAMESPACE))).items;
  } catch (e) {
    session.clear();
    if (e.code === 401)
      return loginForm('The controller did not accept this token (401 Unauthorized).');
    if (e.code === 403)
      return loginForm(`This token may not read projects (403): ${e.message}. Use the admin ` +
        'token or a project user\'s.');
    return loginForm(e.message);
  }
  fill(picker, projects.map((p) => h('option', { value: p.metadata.name }, p.metadata.name)));
  nav.hidden = false;
  render();
}

picker.addEventListener('change', () => go(picker.value, route().page));
document.getElementById('logout').addEventListener('click', () => {
  session.clear();
  location.hash = '';
  start();
});
window.addEventListener('hashchange', () => { if (!nav.hidden) render(); });
start();
