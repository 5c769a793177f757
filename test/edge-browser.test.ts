// CORS and CSRF in a real browser: headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core) loads pages from loopback servers on other origins and sites than the
// gateway's, and the browser's own behaviour is checked against the gateway's decisions.
// localhost (the gateway and its app) and 127.0.0.1 (the other pages) are different sites.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { openCallLogReader } from '../src/calllog/index.ts';
import type { StoredCall } from '../src/calllog/types.ts';
import { startPinpoint, type Running } from '../src/server/start.ts';
import { startUpstream, type Upstream } from './helpers/servers.ts';

const CHROMIUM = '/usr/bin/chromium';
const SECRET_ENV = 'PINPOINT_TEST_BROWSER_SECRET';
const APP_PAGE = '<!doctype html><title>shop</title><p id="app">shop app</p>';

let dir: string;
let running: Running;
let upstream: Upstream;
let allowedSite: Server;
let evilSite: Server;
let gateway: string; // http://localhost:<port>
let allowedOrigin: string; // http://127.0.0.1:<port>, in cors.origins
let evilOrigin: string; // http://127.0.0.1:<port>, nowhere
let context: BrowserContext;
let reader: ReturnType<typeof openCallLogReader> | undefined;

/** A loopback site serving a page per path. */
async function site(pages: Record<string, (gateway: string) => string>): Promise<Server> {
  const server = createServer((req, res) => {
    const page = pages[req.url ?? '/'] ?? (() => '<!doctype html><title>blank</title>');
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(page(gateway));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return server;
}

const port = (s: Server) => (s.address() as AddressInfo).port;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
  dir = mkdtempSync(join(tmpdir(), 'pinpoint-browser-'));
  upstream = await startUpstream((req, res, body) => {
    if (req.url === '/app') {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      return res.end(APP_PAGE);
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ method: req.method, url: req.url, body }));
  });
  allowedSite = await site({});
  evilSite = await site({
    // A classic CSRF: a page of another site posts a form to the gateway, with the user's cookies.
    '/form': (gw) => `<!doctype html><form method="POST" action="${gw}/api/cart"><input name="item" value="1"><input name="_csrf" value="guessed"></form><script>document.forms[0].submit()</script>`,
  });
  allowedOrigin = `http://127.0.0.1:${port(allowedSite)}`;
  evilOrigin = `http://127.0.0.1:${port(evilSite)}`;
  const configPath = join(dir, 'pinpoint.yaml');
  writeFileSync(
    configPath,
    `
admin: { enabled: false }
log: { file: data/calls.db, flushIntervalMs: 5 }
store: { file: data/keys.db }
authn:
  # SameSite=None so that the browser sends the session cookie with another site's form post:
  # then only the CSRF layer stands in the way, which is what this test is about. Secure cookies
  # are kept on http://localhost, which browsers count as a secure context.
  sessions: { secretEnv: ${SECRET_ENV}, sameSite: None, secure: true }
tenants: { acme: {} }
consumers: { alice: { tenant: acme } }
services:
  shop: { upstreams: [{ url: "${upstream.url}" }] }
routes:
  - { id: app-page, service: shop, paths: [/app], methods: [GET] }
  - { id: cart, service: shop, paths: [/api/cart], methods: [GET, POST], authn: [session] }
  - { id: orders, service: shop, paths: [/api/orders], methods: [GET, PUT], cors: { origins: ["${allowedOrigin}"], headers: [content-type] } }
  - { id: keyed, service: shop, paths: [/api/keyed], methods: [GET], authn: [apiKey], cors: { origins: ["${allowedOrigin}"] } }
`,
  );
  process.env[SECRET_ENV] = 'a browser test session secret, more than 32 characters';
  running = await startPinpoint({ configPath, port: 0, watch: false, report: () => {} });
  gateway = `http://localhost:${running.gatewayAddress.port}`;
  await running.store.setPassword('alice', 'alice password 1', 'test');
  context = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-background-networking', '--disable-gpu', '--disable-dev-shm-usage', '--host-resolver-rules=MAP localhost 127.0.0.1'],
  });
});

after(async () => {
  await context?.close();
  reader?.close();
  await running?.close();
  await upstream?.close();
  for (const s of [allowedSite, evilSite]) if (s) await new Promise((r) => (s.closeAllConnections(), s.close(r)));
  rmSync(dir, { recursive: true, force: true });
});

/** Calls the gateway logged after `mark` (a row id), oldest first. */
async function callsAfter(mark: number, expect: number): Promise<StoredCall[]> {
  for (let i = 0; i < 400; i++) {
    reader ??= openCallLogReader(running.logFile);
    const calls = reader.list({ afterRowId: mark, limit: 50 });
    if (calls.length >= expect) return calls;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`fewer than ${expect} calls logged after row ${mark}`);
}

function mark(): number {
  reader ??= openCallLogReader(running.logFile);
  return reader.lastRowId();
}

async function open(url: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(url);
  return page;
}

/** Runs fetch in the page; 'failed' when the browser refused to give the page the answer. */
function browserFetch(page: Page, url: string, init: { method?: string; headers?: Record<string, string>; body?: string; credentials?: 'include' | 'omit'; mode?: 'cors' | 'no-cors' }) {
  return page.evaluate(
    async ({ url, init }) => {
      try {
        const res = await fetch(url, init);
        const text = await res.text();
        return { status: res.status, type: res.type, requestId: res.headers.get('x-request-id'), text };
      } catch (err) {
        return { failed: String(err) };
      }
    },
    { url, init },
  );
}

test('the same-origin app logs in, gets its CSRF token with the session, and its POST with the token passes', async () => {
  const page = await open(`${gateway}/app`);
  assert.equal(await page.textContent('#app'), 'shop app');
  const result = await page.evaluate(async () => {
    const login = await fetch('/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'alice', password: 'alice password 1' }) });
    const first = await fetch('/api/cart');
    // The token comes with the session, in a readable cookie and the X-CSRF-Token header of the login answer.
    const header = login.headers.get('x-csrf-token');
    // document.cookie may lag a response a moment on a busy machine: wait for the cookie to show.
    // (No named functions in here: this source runs in the page, without the test's helpers.)
    let cookie: string | undefined;
    for (let i = 0; i < 100; i++) {
      cookie = document.cookie.split('; ').find((c) => c.startsWith('pp_csrf='))?.slice('pp_csrf='.length);
      if (cookie !== undefined) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const withToken = await fetch('/api/cart', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': cookie ?? '' }, body: '{"item":1}' });
    const withoutToken = await fetch('/api/cart', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"item":2}' });
    return { login: login.status, first: first.status, header, cookie, post: withToken.status, bare: withoutToken.status, bareBody: await withoutToken.json() };
  });
  assert.equal(result.login, 200);
  assert.equal(result.first, 200);
  assert.ok(result.header, 'the login answer handed out a token');
  assert.equal(result.cookie, result.header, 'the token in the readable cookie is the one in the X-CSRF-Token header');
  assert.equal(result.post, 200);
  assert.equal(result.bare, 403);
  assert.equal(result.bareBody.code, 'csrf.token_missing');
  await page.close();
});

test('a cross-site form post carrying the session cookie is refused by the CSRF layer', async () => {
  const m = mark();
  const page = await context.newPage();
  const answer = page.waitForResponse((r) => r.url() === `${gateway}/api/cart` && r.request().method() === 'POST');
  await page.goto(`${evilOrigin}/form`);
  const res = await answer;
  assert.equal(res.status(), 403);
  assert.equal((await res.json()).code, 'csrf.cross_site');
  const [call] = (await callsAfter(m, 1)).filter((c) => c.route === 'cart');
  assert.equal(call.code, 'csrf.cross_site');
  // The browser did send the session: the caller was known, only CSRF refused.
  assert.equal(call.consumer, 'alice');
  assert.ok(call.decision.trace.some((t) => t.layer === 'authn' && t.verdict === 'pass'));
  await page.close();
});

test('CORS: the allowed origin\'s preflighted call succeeds and the page reads the answer and the request id', async () => {
  const page = await open(`${allowedOrigin}/`);
  const m = mark();
  const put = await browserFetch(page, `${gateway}/api/orders`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"qty":1}' });
  assert.equal(put.status, 200, JSON.stringify(put));
  assert.equal(JSON.parse(put.text!).method, 'PUT');
  assert.match(put.requestId ?? '', /^req_/, 'X-Request-Id is exposed to the page');
  const calls = await callsAfter(m, 2);
  assert.deepEqual(calls.map((c) => [c.method, c.status, c.outcome]), [['OPTIONS', 204, 'allow'], ['PUT', 200, 'allow']]);
  assert.ok(!upstream.seen.some((s) => s.method === 'OPTIONS'), 'the preflight was not forwarded');
  // A refusal of a later layer is readable too: the problem carries the CORS headers.
  const keyed = await browserFetch(page, `${gateway}/api/keyed`, {});
  assert.equal(keyed.status, 401);
  assert.equal(JSON.parse(keyed.text!).code, 'authn.credential_missing');
  await page.close();
});

test('CORS: refused preflights make the browser fail the call, and each refusal is a decision with its reason', async () => {
  const evil = await open(`${evilOrigin}/`);
  let m = mark();
  const fromEvil = await browserFetch(evil, `${gateway}/api/orders`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' });
  assert.ok(fromEvil.failed, 'the browser refused the call');
  const [pre] = await callsAfter(m, 1);
  assert.deepEqual([pre.method, pre.code], ['OPTIONS', 'cors.origin_not_allowed']);
  await evil.close();

  const page = await open(`${allowedOrigin}/`);
  m = mark();
  const header = await browserFetch(page, `${gateway}/api/orders`, { method: 'PUT', headers: { 'content-type': 'application/json', 'x-debug': '1' }, body: '{}' });
  assert.ok(header.failed);
  assert.equal((await callsAfter(m, 1))[0].code, 'cors.header_not_allowed');
  m = mark();
  const method = await browserFetch(page, `${gateway}/api/orders`, { method: 'DELETE' });
  assert.ok(method.failed);
  assert.equal((await callsAfter(m, 1))[0].code, 'cors.method_not_allowed');
  assert.ok(!upstream.seen.some((s) => s.method === 'DELETE' || (s.method === 'PUT' && s.body === '{}')), 'nothing refused reached the upstream');
  await page.close();
});
