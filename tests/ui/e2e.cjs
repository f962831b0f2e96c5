// SPDX-License-Identifier: GPL-2.0
// The Slice Manager in a real browser against a real controller (tests/ui/run sets it up:
// a project "shop" with clusters c1..c3, a QoS profile "gold", a read-only user "viewer").
// Each check prints one TAP line; a failure prints what was seen.
'use strict';
const { chromium } = require('playwright-core');
const { execFileSync } = require('child_process');
const fs = require('fs');
const https = require('https');
const path = require('path');

const env = process.env;
const NS = env.UI_NS;
const kubeconfig = fs.readFileSync(env.UI_KUBECONFIG_FILE, 'utf8');
const ADMIN = kubeconfig.match(/token: (\S+)/)[1];
const CA = fs.readFileSync(env.UI_CA);
const base = new URL(env.UI_URL);
const CTL = '/apis/controller.kubeslice.io/v1alpha1';
const WRK = '/apis/worker.kubeslice.io/v1alpha1';
const TIMEOUT = 15000;

let count = 0;
let failures = 0;

function tap(ok, desc, why) {
  count++;
  if (!ok)
    failures++;
  console.log(`${ok ? 'ok' : 'not ok'} ${count} ${desc}`);
  if (why)
    console.log(String(why).split('\n').slice(0, 12).map((l) => `# ${l}`).join('\n'));
}

async function check(desc, fn) {
  try {
    const note = await fn();
    tap(true, note ? `${desc} (${note})` : desc);
  } catch (e) {
    tap(false, desc, e.stack || e);
  }
}

function assert(cond, msg) {
  if (!cond)
    throw new Error(msg);
}

/** The API as a worker or kubectl would call it (not through the page). */
function api(token, method, p, body, type = 'application/merge-patch+json') {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? null : JSON.stringify(body);
    const req = https.request({ host: base.hostname, port: base.port, path: p, method, ca: CA,
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/json',
                 ...(data ? { 'Content-Type': type } : {}) } }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => {
        if (res.statusCode >= 300)
          reject(new Error(`${method} ${p}: ${res.statusCode} ${text}`));
        else
          resolve(JSON.parse(text));
      });
    });
    req.on('error', reject);
    req.end(data);
  });
}

/** The status of a GET of a path exactly as written (a browser would normalise it). */
function rawStatus(p) {
  return new Promise((resolve, reject) => {
    https.get({ host: base.hostname, port: base.port, path: p, ca: CA }, (res) => {
      res.resume();
      resolve(res.statusCode);
    }).on('error', reject);
  });
}

function kubectl(...args) {
  return execFileSync('kubectl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

const workerToken = (cluster) => env[`UI_WORKER_${cluster}`];

/** Writes a gateway's tunnel status as sliced does: a merge patch of /status. */
function tunnelStatus(gw, state, latency) {
  const cluster = gw.metadata.labels['worker-cluster'];
  return api(workerToken(cluster), 'PATCH',
    `${WRK}/namespaces/${NS}/workerslicegateways/${gw.metadata.name}/status`,
    { status: { tunnelStatus: { TunnelState: state, Latency: latency, PacketLoss: 0,
      TxRate: 1250000, RxRate: 980000, LastUpdated: new Date().toISOString() } } });
}

async function until(what, fn, timeout = TIMEOUT) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      if (await fn())
        return;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end)
      throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function main() {
  const browser = await chromium.launchPersistentContext(env.UI_PROFILE, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
           '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
    ignoreHTTPSErrors: true,        // the controller's own CA
    viewport: { width: 1280, height: 900 },
  });
  const page = browser.pages()[0] || await browser.newPage();
  page.setDefaultTimeout(TIMEOUT);
  const consoleErrors = [];
  const requests = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  page.on('request', (r) => requests.push({ url: r.url(), headers: r.headers() }));
  const shot = (name) => page.screenshot({ path: path.join(env.UI_SHOTS, `${name}.png`),
                                           fullPage: true });

  await check('the UI is served under /ui/ with a strict Content-Security-Policy', async () => {
    const res = await page.goto(env.UI_URL);
    const csp = res.headers()['content-security-policy'] || '';
    assert(res.status() === 200, `status ${res.status()}`);
    assert(/script-src 'self'/.test(csp) && /default-src 'none'/.test(csp) &&
           !/unsafe/.test(csp), `CSP: ${csp}`);
    assert(res.headers()['x-content-type-options'] === 'nosniff', 'no nosniff');
    const js = await page.request.get(new URL('views/topology.js', env.UI_URL).href);
    assert(js.headers()['content-type'].startsWith('text/javascript'), 'module type');
    for (const p of ['/ui/../admin.token', '/ui/%2e%2e/admin.token', '/ui/nope.js']) {
      const status = await rawStatus(p);
      assert(status === 404, `${p} is ${status}`);
    }
  });

  await check('login takes the current context\'s token from YAML or JSON kubeconfigs',
    async () => {
      const got = await page.evaluate(async () => {
        const { tokenFrom } = await import('/ui/api.js');
        const attempt = (text) => {
          try {
            return tokenFrom(text);
          } catch (e) {
            return `!${e.message}`;
          }
        };
        return [
          attempt('  abc123\n'),
          attempt('users:\n  - name: x\n    user:\n      token: "quoted"\n' +
                  'contexts:\n  - name: c\n    context: {}\n'),
          attempt('users:\n- name: a\n  user:\n    token: ta\n- name: b\n  user:\n' +
                  '    token: tb\ncontexts:\n- name: one\n  context:\n    user: a\n' +
                  '- name: two\n  context:\n    user: b\ncurrent-context: two\n'),
          attempt(JSON.stringify({ users: [{ name: 'u', user: { token: 'fromjson' } }],
            contexts: [{ name: 'c', context: { user: 'u' } }], 'current-context': 'c' })),
          attempt('users:\n- name: a\n  user:\n    client-certificate-data: AAAA\n'),
        ];
      });
      assert(got.slice(0, 4).join() === 'abc123,quoted,tb,fromjson', `tokens: ${got}`);
      assert(/^!the kubeconfig has no token/.test(got[4]), `no token: ${got[4]}`);
    });

  await check('a wrong token is refused with the API\'s 401', async () => {
    await page.fill('#token', 'not-a-token');
    await page.click('form.login button[type=submit]');
    await page.waitForSelector('#login-error:has-text("401")');
    await shot('login');
  });

  let loggedIn = 0;
  await check('logging in with the admin kubeconfig shows the clusters', async () => {
    loggedIn = requests.length;
    await page.fill('#token', kubeconfig);
    await page.click('form.login button[type=submit]');
    await page.waitForSelector('table.clusters tr[data-cluster="c3"]');
    const names = await page.$$eval('table.clusters tr[data-cluster]',
      (rows) => rows.map((r) => r.dataset.cluster));
    assert(names.join() === 'c1,c2,c3', `clusters: ${names}`);
  });

  await check('a worker\'s heartbeat shows up live on the clusters page', async () => {
    await api(workerToken('c1'), 'PATCH', `${CTL}/namespaces/${NS}/clusters/c1/status`,
      { status: { registrationStatus: 'Registered', nodeIPs: ['198.51.100.1'],
                  cniSubnet: ['10.244.0.0/16'],
                  clusterHealth: { clusterHealthStatus: 'Normal',
                                   lastUpdated: new Date().toISOString() } } });
    const row = page.locator('tr[data-cluster="c1"]');
    await row.locator('text=Registered').waitFor();
    await row.locator('text=198.51.100.1').waitFor();
    await row.locator('text=Normal').waitFor();
    await page.locator('table.projects >> text=viewer').waitFor();
    await shot('clusters');
  });

  await check('a bad subnet gets the API\'s cause beside the subnet field', async () => {
    await page.click('nav a[data-page="slices"]');
    await page.click('#new-slice');
    await page.fill('input[name=name]', 'blue');
    await page.fill('input[name=sliceSubnet]', '10.300.0.0/16');
    for (const c of ['c1', 'c2', 'c3'])
      await page.check(`input[name=cluster][value=${c}]`);
    await page.check('input[name=qos][value=custom]');
    await page.fill('input[name=bandwidthCeilingKbps]', '30000');
    await page.check('input[name=isolationEnabled]');
    await page.fill('input[name=applicationNamespaces]', 'web, db');
    await page.click('form.slice-form button[type=submit]');
    const err = page.locator('[data-field="spec.sliceSubnet"] .field-error');
    await err.locator('text=private /16').waitFor();
    assert(await page.inputValue('input[name=name]') === 'blue', 'the form lost its input');
    await shot('slice-form-error');
    return (await err.textContent()).trim();
  });

  await check('creating a slice through the form stores it (kubectl get)', async () => {
    await page.fill('input[name=sliceSubnet]', '10.20.0.0/16');
    await page.click('form.slice-form button[type=submit]');
    await page.waitForSelector('table.slices tr[data-slice="blue"]');
    const sc = JSON.parse(kubectl('get', 'sliceconfig', 'blue', '-n', NS, '-o', 'json'));
    assert(sc.spec.sliceSubnet === '10.20.0.0/16', `subnet ${sc.spec.sliceSubnet}`);
    assert(sc.spec.clusters.join() === 'c1,c2,c3', `clusters ${sc.spec.clusters}`);
    assert(sc.spec.qosProfileDetails.bandwidthCeilingKbps === 30000, 'ceiling');
    assert(sc.spec.namespaceIsolationProfile.isolationEnabled === true, 'isolation');
    assert(sc.spec.namespaceIsolationProfile.applicationNamespaces
      .map((n) => n.namespace).join() === 'web,db', 'namespaces');
    await page.locator('tr[data-slice="blue"] >> text=10.20.0.0/16').waitFor();
    await shot('slices');
  });

  let gateways = [];
  await check('the topology shows the clusters and one edge per gateway pair', async () => {
    await page.click('tr[data-slice="blue"] a:has-text("Topology")');
    await until('six gateways', async () => {
      gateways = (await api(ADMIN, 'GET', `${WRK}/namespaces/${NS}/workerslicegateways`)).items;
      return gateways.length === 6;
    });
    await page.waitForSelector('svg.topology g.node[data-node="c3"]');
    await until('three edges', async () =>
      (await page.$$('svg.topology g.edge')).length === 3);
    const states = await page.$$eval('svg.topology g.edge', (es) => es.map((e) => e.dataset.state));
    assert(states.every((s) => s === 'unknown'), `states before any status: ${states}`);
  });

  await check('edges turn up, with latency labels, when the workers report their tunnels',
    async () => {
      const t0 = Date.now();
      await Promise.all(gateways.map((gw) => tunnelStatus(gw, 'UP', 2.5)));
      await until('all edges up', async () => (await page.$$eval('svg.topology g.edge',
        (es) => es.map((e) => e.dataset.state))).every((s) => s === 'up'));
      const label = await page.textContent('g.edge[data-edge="c1--c2"]');
      assert(/2\.5 ms, 0% losstx 1\.3 Mbit\/s, rx 980 kbit\/s2 gateway pairs/.test(label),
        `label: ${label}`);
      return `seen ${Date.now() - t0} ms after the writes`;
    });

  await check('one tunnel going down turns its edge red and leaves the others up', async () => {
    const gw = gateways.find((g) => g.metadata.name === 'blue-c2-c1');
    assert(gw, 'no gateway blue-c2-c1');
    const t0 = Date.now();
    await tunnelStatus(gw, 'DOWN');
    await page.waitForSelector('g.edge[data-edge="c1--c2"][data-state="down"]');
    const ms = Date.now() - t0;
    const others = await page.$$eval('g.edge:not([data-edge="c1--c2"])',
      (es) => es.map((e) => e.dataset.state));
    assert(others.join() === 'up,up', `other edges: ${others}`);
    await page.locator('tr[data-gateway="blue-c2-c1"] >> text=DOWN').waitFor();
    await shot('topology');
    return `seen ${ms} ms after the write`;
  });

  await check('the topology keeps updating across a kill -9 and restart of the controller',
    async () => {
      console.log('# kill -9 and restart the controller');
      await until('the restart', () => fs.existsSync(env.UI_RESTARTED), 30000);
      const t0 = Date.now();
      await tunnelStatus(gateways.find((g) => g.metadata.name === 'blue-c2-c1'), 'UP', 3.5);
      await page.waitForSelector('g.edge[data-edge="c1--c2"][data-state="up"]');
      const label = await page.textContent('g.edge[data-edge="c1--c2"]');
      assert(label.includes('3.5 ms'), `label: ${label}`);
      return `seen ${Date.now() - t0} ms after the write`;
    });

  await check('editing the slice in the form changes it (kubectl get)', async () => {
    await page.click('nav a[data-page="slices"]');
    await page.click('tr[data-slice="blue"] a[data-action="edit"]');
    assert(await page.isDisabled('input[name=sliceSubnet]'), 'the subnet is editable');
    await page.fill('input[name=bandwidthCeilingKbps]', '40000');
    await page.click('form.slice-form button[type=submit]');
    await page.waitForSelector('table.slices tr[data-slice="blue"]');
    await until('the new ceiling', () => JSON.parse(kubectl('get', 'sliceconfig', 'blue',
      '-n', NS, '-o', 'json')).spec.qosProfileDetails.bandwidthCeilingKbps === 40000);
  });

  await check('an exported service shows where it is imported', async () => {
    await api(workerToken('c3'), 'POST', `${CTL}/namespaces/${NS}/serviceexportconfigs`, {
      apiVersion: 'controller.kubeslice.io/v1alpha1', kind: 'ServiceExportConfig',
      metadata: { name: 'web-web-c3', namespace: NS },
      spec: { serviceName: 'web', serviceNamespace: 'web', sourceCluster: 'c3',
              sliceName: 'blue', serviceDiscoveryEndpoints: [{ podName: 'web-0',
                cluster: 'c3', nsmIp: '10.20.32.5', dnsName: 'web-0.c3.web.web.svc.slice.local',
                port: 80 }], serviceDiscoveryPorts: [{ name: 'http', port: 80,
                protocol: 'TCP' }] } }, 'application/json');
    await page.click('nav a[data-page="services"]');
    const cell = page.locator('tr[data-export="web-web-c3"] td.imported-in');
    await cell.locator('text=c1, c2').waitFor();
    await page.locator('tr[data-export="web-web-c3"] >> text=10.20.32.5:80').waitFor();
    await shot('services');
  });

  await check('Events are listed newest first and filter by object', async () => {
    await page.click('nav a[data-page="events"]');
    await page.waitForSelector('table.events tbody tr td[title]');
    const times = await page.$$eval('table.events tbody tr td[title]',
      (t) => t.map((x) => x.title));
    assert(times.length > 3, `${times.length} events`);
    assert(times.every((t, i) => !i || times[i - 1] >= t), `order: ${times}`);
    await page.selectOption('#event-object', 'SliceConfig:blue');
    const objects = await page.$$eval('table.events tbody tr td:nth-child(4)',
      (t) => t.map((x) => x.textContent));
    assert(objects.length && objects.every((o) => o === 'SliceConfig:blue'), `objects: ${objects}`);
    await shot('events');
    return `${objects.length} of ${times.length} about the slice`;
  });

  await check('deleting a slice that still has namespaces and exports shows the API\'s refusal',
    async () => {
      await page.click('nav a[data-page="slices"]');
      const button = page.locator('tr[data-slice="blue"] button[data-action="delete"]');
      await button.click();
      await button.click();         // the second click confirms
      await page.locator('#notice').waitFor();
      const text = await page.textContent('#notice');
      assert(/\((403|422)\).*(namespaces|export)/.test(text), `notice: ${text}`);
      kubectl('get', 'sliceconfig', 'blue', '-n', NS);
      return text.slice(0, 160);
    });

  await check('after the export goes and the form empties its namespaces, delete removes it ' +
              '(kubectl get)', async () => {
    await api(workerToken('c3'), 'DELETE',
      `${CTL}/namespaces/${NS}/serviceexportconfigs/web-web-c3`);
    await page.click('tr[data-slice="blue"] a[data-action="edit"]');
    await page.uncheck('input[name=isolationEnabled]');
    await page.fill('input[name=applicationNamespaces]', '');
    await page.click('form.slice-form button[type=submit]');
    // The API refuses the delete until it has the form's update and the export is gone, and
    // the row is drawn again (disarming its button) on each change the watches bring: delete
    // once the API has both, again while a redraw took the confirmation, and say why not.
    await until('the API to have the slice without namespaces and no export', () => {
      const slice = JSON.parse(kubectl('get', 'sliceconfig', 'blue', '-n', NS, '-o', 'json'));
      const apps = slice.spec.namespaceIsolationProfile?.applicationNamespaces || [];
      const exports = JSON.parse(kubectl('get', 'serviceexportconfigs', '-n', NS, '-o', 'json'));
      return !apps.length && !exports.items.some((e) => e.metadata.name === 'web-web-c3');
    });
    const row = page.locator('tr[data-slice="blue"]');
    await until('delete to remove the row', async () => {
      if (!(await row.count()))
        return true;
      const button = row.locator('button[data-action="delete"]');
      await button.click();
      await button.click();
      await row.waitFor({ state: 'detached', timeout: 3000 }).catch(() => {});
      if (await row.count())
        throw new Error('still listed; notice: ' +
          await page.locator('#notice').textContent({ timeout: 1000 }).catch(() => 'none'));
      return true;
    });
    await until('kubectl to miss the slice', () => {
      try {
        kubectl('get', 'sliceconfig', 'blue', '-n', NS);
        return false;
      } catch (e) {
        return /NotFound/.test(e.stderr);
      }
    });
  });

  await check('the token never appears in a URL, a cookie or the console; nothing is ' +
              'fetched from elsewhere', async () => {
    assert(!requests.some((r) => r.url.includes(ADMIN)), 'a URL holds the token');
    const elsewhere = requests.filter((r) => new URL(r.url).origin !== base.origin);
    assert(!elsewhere.length, `requests beyond the controller: ${elsewhere.map((r) => r.url)}`);
    assert(!requests.some((r) => r.headers.cookie), 'a request carried a cookie');
    assert((await browser.cookies()).length === 0, 'the browser holds cookies');
    assert(!consoleErrors.some((m) => m.includes(ADMIN)), 'the console shows the token');
    const apiCalls = requests.slice(loggedIn)
      .filter((r) => new URL(r.url).pathname.startsWith('/api'));
    assert(apiCalls.every((r) => r.headers.authorization === `Bearer ${ADMIN}`),
      'an API call without the bearer token');
    return `${requests.length} requests`;
  });

  await check('logging out forgets the token', async () => {
    await page.click('#logout');
    await page.waitForSelector('form.login');
    assert(await page.evaluate(() => sessionStorage.length) === 0, 'sessionStorage not empty');
  });

  kubectl('create', '-f', writeTemp('green.json', {
    apiVersion: 'controller.kubeslice.io/v1alpha1', kind: 'SliceConfig',
    metadata: { name: 'green', namespace: NS },
    spec: { sliceSubnet: '10.30.0.0/16', clusters: ['c1', 'c2'], standardQosProfileName: 'gold',
      sliceGatewayProvider: { sliceGatewayType: 'OpenVPN', sliceCaType: 'Local' } },
  }));
  await check('a read-only token sees the clusters, the slices and a topology', async () => {
    await page.fill('#token', env.UI_READER);
    await page.click('form.login button[type=submit]');
    await page.waitForSelector('table.clusters tr[data-cluster="c3"]');
    await page.click('nav a[data-page="slices"]');
    await page.click('tr[data-slice="green"] a:has-text("Topology")');
    await page.waitForSelector('svg.topology g.node[data-node="c2"]');
    await page.click('nav a[data-page="slices"]');
  });
  await check('a read-only token deleting a slice gets the API\'s 403, shown plainly', async () => {
    const button = page.locator('tr[data-slice="green"] button[data-action="delete"]');
    await button.click();
    await button.click();
    await page.locator('#notice >> text=Forbidden (403)').waitFor();
    const text = await page.textContent('#notice');
    assert(/kubeslice-rbac-ro-viewer" cannot delete/.test(text), `notice: ${text}`);
    kubectl('get', 'sliceconfig', 'green', '-n', NS);
    return text;
  });
  await check('a read-only token creating a slice gets the 403 in the form', async () => {
    await page.click('#new-slice');
    await page.fill('input[name=name]', 'red');
    await page.fill('input[name=sliceSubnet]', '10.40.0.0/16');
    await page.check('input[name=cluster][value=c1]');
    await page.click('form.slice-form button[type=submit]');
    await page.locator('.form-errors >> text=Forbidden (403)').waitFor();
    await shot('reader-forbidden');
    try {
      kubectl('get', 'sliceconfig', 'red', '-n', NS);
      throw new Error('the slice was created');
    } catch (e) {
      assert(/NotFound/.test(e.stderr || ''), e.message);
    }
  });

  await check('no script error and no Content-Security-Policy violation in the console',
    async () => {
      assert(!consoleErrors.some((m) => /Content Security Policy|Uncaught/.test(m)),
        consoleErrors.join('\n'));
    });

  await check('the controller\'s log holds no token', async () => {
    const log = fs.readFileSync(env.UI_SERVER_LOG, 'utf8');
    assert(!log.includes(ADMIN) && !log.includes(env.UI_READER), 'a token is in the log');
  });

  await browser.close();
}

function writeTemp(name, obj) {
  const file = path.join(env.UI_PROFILE, '..', name);
  fs.writeFileSync(file, JSON.stringify(obj));
  return file;
}

main().catch((e) => tap(false, 'the browser session ran to the end', e.stack || e))
  .finally(() => {
    console.log(`1..${count}`);
    process.exitCode = failures ? 1 : 0;
  });
