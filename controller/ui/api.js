// SPDX-License-Identifier: GPL-2.0
// The controller's Kubernetes-style API, as kubectl uses it: JSON over HTTPS with a bearer
// token. The token lives in this tab's sessionStorage only; it goes in the Authorization
// header and nowhere else (never a URL, a cookie or the console).

const TOKEN_KEY = 'slice-manager.token';

export const CONTROLLER = '/apis/controller.kubeslice.io/v1alpha1';
export const WORKER = '/apis/worker.kubeslice.io/v1alpha1';
export const CORE = '/api/v1';
export const PROJECTS_NAMESPACE = 'kubeslice-controller';

export const session = {
  get token() { return sessionStorage.getItem(TOKEN_KEY); },
  set token(t) { sessionStorage.setItem(TOKEN_KEY, t); },
  clear() { sessionStorage.removeItem(TOKEN_KEY); },
};

/** A failed API call: the HTTP code and the Status the server sent (reason, causes). */
export class ApiError extends Error {
  constructor(code, status) {
    super(status?.message || `HTTP ${code}`);
    this.code = code;
    this.reason = status?.reason || '';
    this.causes = status?.details?.causes || [];
  }
}

function options(method, extra = {}) {
  return {
    method,
    cache: 'no-store',
    credentials: 'omit',        // no cookies: the bearer token is the only credential
    referrerPolicy: 'no-referrer',
    ...extra,
    headers: { Accept: 'application/json', Authorization: `Bearer ${session.token}`,
               ...extra.headers },
  };
}

async function failure(res) {
  let status = null;
  try { status = await res.json(); } catch { /* not a Status: keep the code */ }
  return new ApiError(res.status, status);
}

/** One request; resolves to the decoded answer, rejects with an ApiError. */
export async function request(method, path, body, contentType = 'application/json') {
  const extra = body === undefined ? {} :
    { body: JSON.stringify(body), headers: { 'Content-Type': contentType } };
  let res;
  try {
    res = await fetch(path, options(method, extra));
  } catch (e) {
    throw new ApiError(0, { message: `the controller did not answer (${e.message})` });
  }
  if (!res.ok)
    throw await failure(res);
  return res.json();
}

export const get = (path) => request('GET', path);
export const create = (path, obj) => request('POST', path, obj);
export const replace = (path, obj) => request('PUT', path, obj);
export const remove = (path) => request('DELETE', path);

/** The collection path of a resource: namespaced when ns is given. */
export function collection(api, plural, ns) {
  return ns ? `${api}/namespaces/${encodeURIComponent(ns)}/${plural}` : `${api}/${plural}`;
}

/** "kubeslice-<project>", as the controller names a project's namespace. */
export const projectNamespace = (project) => `kubeslice-${project}`;

/**
 * Streams a watch from resourceVersion rv, calling onEvent for each event, until the
 * server ends it (resolves) or signal aborts it or the connection fails (rejects).
 */
export async function watch(path, rv, signal, onEvent) {
  const sep = path.includes('?') ? '&' : '?';
  const url = `${path}${sep}watch=true&allowWatchBookmarks=true&resourceVersion=${rv}`;
  const res = await fetch(url, options('GET', { signal }));
  if (!res.ok)
    throw await failure(res);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done)
        return;
      buf += value;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line)
          onEvent(JSON.parse(line));
      }
    }
  } finally {
    // an event the caller threw on (an ERROR) ends the stream and its connection
    reader.cancel().catch(() => {});
  }
}

/**
 * The bearer token in what the user pasted: a token as is, or a kubeconfig (YAML or JSON)
 * whose current context's user has a token. Throws an Error saying what is missing.
 */
export function tokenFrom(text) {
  const t = text.trim();
  if (!t)
    throw new Error('paste a token or a kubeconfig');
  if (!/[\s:{]/.test(t))
    return t;
  const cfg = t.startsWith('{') ? JSON.parse(t) : kubeconfigYaml(t);
  const ctx = (cfg.contexts || []).find((c) => c.name === cfg['current-context']) ||
              (cfg.contexts || [])[0];
  const userName = ctx?.context?.user;
  const user = (cfg.users || []).find((u) => u.name === userName) || (cfg.users || [])[0];
  const token = user?.user?.token;
  if (!token)
    throw new Error('the kubeconfig has no token for its current context\'s user ' +
                    '(client certificates cannot be used from a browser)');
  return token;
}

// Enough YAML for kubeconfigs as kubectl and the controller write them: maps, lists of
// maps ("- name: x"), plain or quoted scalars. Anything else is ignored.
function kubeconfigYaml(text) {
  const root = {};
  const stack = [{ indent: -1, node: root }];
  const scalar = (v) => v.replace(/^(["'])(.*)\1$/, '$2');
  for (const raw of text.split('\n')) {
    if (!raw.trim() || raw.trim().startsWith('#'))
      continue;
    let indent = raw.search(/\S/);
    let line = raw.trim();
    const item = line.startsWith('- ');
    // a list's items may sit at its key's indent ("users:\n- name: x")
    const closes = (top) => top.indent > indent ||
      (top.indent === indent && !(item && Array.isArray(top.node)));
    while (stack.length > 1 && closes(stack[stack.length - 1]))
      stack.pop();
    let parent = stack[stack.length - 1].node;
    if (item) {
      const node = {};
      if (Array.isArray(parent))
        parent.push(node);
      line = line.slice(2);
      stack.push({ indent: indent + 1, node });
      parent = node;
      indent += 2;
    }
    const m = line.match(/^([^:]+):\s*(.*)$/);
    if (!m || Array.isArray(parent))
      continue;
    const [, key, value] = m;
    if (value) {
      parent[key] = scalar(value);
    } else {
      const child = /^(clusters|contexts|users)$/.test(key) ? [] : {};
      parent[key] = child;
      stack.push({ indent, node: child });
    }
  }
  return root;
}
