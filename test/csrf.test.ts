// CSRF end to end: a gateway started like `pinpoint start`, sessions from its login route, and
// state-changing requests with the session cookie from the right and the wrong places.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openCallLogReader } from '../src/calllog/index.ts';
import { loadConfigText } from '../src/config/load.ts';
import { csrfIssuer } from '../src/layers/csrf/index.ts';
import { startPinpoint, type Running } from '../src/server/start.ts';
import { startUpstream, type Upstream } from './helpers/servers.ts';

const SECRET_ENV = 'PINPOINT_TEST_CSRF_SECRET';
let dir: string;
let running: Running;
let upstream: Upstream;
let url: string;
let configText: string;
let reader: ReturnType<typeof openCallLogReader> | undefined;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pinpoint-csrf-'));
  upstream = await startUpstream();
  configText = `
admin: { enabled: false }
log: { file: data/calls.db, flushIntervalMs: 5 }
store: { file: data/keys.db }
authn:
  sessions: { cookie: shop_session, ttlS: 600, secretEnv: ${SECRET_ENV}, secure: false }
csrf: { trustedOrigins: ["https://shop-admin.example"] }
tenants: { acme: {} }
consumers:
  alice: { tenant: acme }
  bob: { tenant: acme }
services:
  shop: { upstreams: [{ url: "${upstream.url}" }] }
routes:
  - { id: cart, service: shop, paths: [/cart], authn: [session] }
  - { id: mixed, service: shop, paths: [/mixed], authn: [apiKey, session] }
  - { id: webhook, service: shop, paths: [/hook], authn: [session], csrf: false }
`;
  process.env[SECRET_ENV] = 'a session signing secret of more than 32 characters';
  writeFileSync(join(dir, 'pinpoint.yaml'), configText);
  running = await startPinpoint({ configPath: join(dir, 'pinpoint.yaml'), port: 0, watch: false, report: () => {} });
  url = `http://127.0.0.1:${running.gatewayAddress.port}`;
  await running.store.setPassword('alice', 'alice password 1', 'test');
  await running.store.setPassword('bob', 'bob password 1', 'test');
});
after(async () => {
  reader?.close();
  await running.close();
  await upstream.close();
  rmSync(dir, { recursive: true, force: true });
});

async function codeOf(res: Response): Promise<string | undefined> {
  const id = res.headers.get('x-request-id')!;
  for (let i = 0; i < 400; i++) {
    reader ??= openCallLogReader(running.logFile);
    const c = reader.get(id);
    if (c) return c.code;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${id} is not in the call log`);
}

/** Logs in, then loads a page (GET) to get the CSRF token: cookie and header. */
async function browserState(user = 'alice'): Promise<{ session: string; token: string }> {
  const login = await fetch(`${url}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: user, password: `${user} password 1` }) });
  assert.equal(login.status, 200);
  const session = login.headers.get('set-cookie')!.split(';')[0];
  const page = await fetch(`${url}/cart`, { headers: { cookie: session } });
  assert.equal(page.status, 200);
  const set = page.headers.get('set-cookie')!;
  assert.match(set, /^pp_csrf=[^;]+; Path=\/; SameSite=Strict; Max-Age=\d+$/);
  const token = page.headers.get('x-csrf-token')!;
  assert.equal(set.split(';')[0], `pp_csrf=${token}`);
  return { session, token };
}

const post = (path: string, headers: Record<string, string>, body = '{}') => fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

test('a same-origin request with the session, the token cookie and the same token in the header passes', async () => {
  const { session, token } = await browserState();
  const res = await post('/cart', { cookie: `${session}; pp_csrf=${token}`, origin: url, 'sec-fetch-site': 'same-origin', 'x-csrf-token': token });
  assert.equal(res.status, 200);
  // The token cookie holds nothing secret for the upstream, but the session cookie is not forwarded.
  assert.doesNotMatch((await res.json()).headers.cookie ?? '', /shop_session/);
  // A trusted other origin of the operator's own, and a form post carrying the token in a field.
  assert.equal((await post('/cart', { cookie: `${session}; pp_csrf=${token}`, origin: 'https://shop-admin.example', 'x-csrf-token': token })).status, 200);
  const form = await fetch(`${url}/cart`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `${session}; pp_csrf=${token}`, origin: url }, body: `item=42&_csrf=${encodeURIComponent(token)}` });
  assert.equal(form.status, 200);
  // A page that already has a valid token is not handed a new one.
  const again = await fetch(`${url}/cart`, { headers: { cookie: `${session}; pp_csrf=${token}` } });
  assert.equal(again.headers.get('set-cookie'), null);
});

test('where the request comes from: cross-site fetch, another origin, neither Origin nor Referer', async () => {
  const { session, token } = await browserState();
  const cookie = `${session}; pp_csrf=${token}`;
  const crossSite = await post('/cart', { cookie, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site', 'x-csrf-token': token });
  assert.equal(crossSite.status, 403);
  assert.equal((await crossSite.json()).code, 'csrf.cross_site');
  const other = await post('/cart', { cookie, origin: 'https://evil.example', 'x-csrf-token': token });
  assert.equal((await other.json()).code, 'csrf.origin_not_allowed');
  // A sibling (same-site) origin is another origin too.
  const sibling = await post('/cart', { cookie, origin: 'http://localhost:1', 'sec-fetch-site': 'same-site', 'x-csrf-token': token });
  assert.equal(await codeOf(sibling), 'csrf.origin_not_allowed');
  const none = await post('/cart', { cookie, 'x-csrf-token': token });
  assert.equal((await none.json()).code, 'csrf.referer_missing');
  // Referer is the fallback when Origin is absent: its origin counts, its path does not.
  assert.equal((await post('/cart', { cookie, referer: `${url}/shop/page?x=1`, 'x-csrf-token': token })).status, 200);
  assert.equal(await codeOf(await post('/cart', { cookie, referer: 'https://evil.example/cart', 'x-csrf-token': token })), 'csrf.origin_not_allowed');
});

test('origin look-alikes and encoding tricks are other origins', async () => {
  const { session, token } = await browserState();
  const cookie = `${session}; pp_csrf=${token}`;
  const host = new URL(url).host;
  for (const origin of [`http://${host}.evil.example`, `http://evil.example#${host}`, 'null', `https://${host}`, `http://${host}@evil.example`]) {
    const res = await post('/cart', { cookie, origin, 'x-csrf-token': token });
    assert.equal(res.status, 403, origin);
    assert.equal(await codeOf(res), 'csrf.origin_not_allowed', origin);
  }
  const referer = await post('/cart', { cookie, referer: `http://evil.example/${url}`, 'x-csrf-token': token });
  assert.equal(await codeOf(referer), 'csrf.origin_not_allowed');
});

test('an https page seen over plain http: the fix points at the proxy set-up', async () => {
  const { session, token } = await browserState();
  const res = await post('/cart', { cookie: `${session}; pp_csrf=${token}`, origin: url.replace('http:', 'https:'), 'x-csrf-token': token });
  assert.equal(res.status, 403);
  reader ??= openCallLogReader(running.logFile);
  await codeOf(res);
  const call = reader.get(res.headers.get('x-request-id')!)!;
  assert.equal(call.code, 'csrf.origin_not_allowed');
  assert.ok(call.decision.fixes.some((f) => f.who === 'operator' && /TLS-terminating proxy.*ip\.trustedProxies/.test(f.action)), JSON.stringify(call.decision.fixes));
});

test('the token: missing cookie, missing token, mismatch, forged, another session, expired', async () => {
  const { session, token } = await browserState();
  const origin = url;
  assert.equal((await (await post('/cart', { cookie: session, origin, 'x-csrf-token': token })).json()).code, 'csrf.cookie_missing');
  assert.equal((await (await post('/cart', { cookie: `${session}; pp_csrf=${token}`, origin })).json()).code, 'csrf.token_missing');
  const other = await browserState();
  assert.equal((await (await post('/cart', { cookie: `${session}; pp_csrf=${token}`, origin, 'x-csrf-token': other.token })).json()).code, 'csrf.token_mismatch');
  // A cookie planted from a sibling subdomain, with the same value in the header: not signed here.
  const forged = `${token.split('.').slice(0, 3).join('.')}.${Buffer.alloc(32).toString('base64url')}`;
  assert.equal((await (await post('/cart', { cookie: `${session}; pp_csrf=${forged}`, origin, 'x-csrf-token': forged })).json()).code, 'csrf.token_invalid');
  assert.equal((await (await post('/cart', { cookie: `${session}; pp_csrf=x.y`, origin, 'x-csrf-token': 'x.y' })).json()).code, 'csrf.token_invalid');
  // A genuine token of another session (bob's) with this session.
  const bob = await browserState('bob');
  assert.equal((await (await post('/cart', { cookie: `${session}; pp_csrf=${bob.token}`, origin, 'x-csrf-token': bob.token })).json()).code, 'csrf.token_stale');
  // A genuine token of this session whose time is over.
  const issuer = csrfIssuer(loadConfigText(configText).config, process.env)!;
  const expired = issuer.issue(session.slice(session.indexOf('=') + 1), Math.floor(Date.now() / 1000) - 5).token;
  const res = await post('/cart', { cookie: `${session}; pp_csrf=${expired}`, origin, 'x-csrf-token': expired });
  assert.equal((await res.json()).code, 'csrf.token_stale');
  // The token's value never reaches the decision.
  reader ??= openCallLogReader(running.logFile);
  await codeOf(res);
  assert.doesNotMatch(JSON.stringify(reader.get(res.headers.get('x-request-id')!)!.decision), new RegExp(expired.split('.')[0]));
});

test('the token never reaches the call log: not from the request header, not from the answer that hands it out', async () => {
  const { session, token } = await browserState();
  const handout = await fetch(`${url}/cart`, { headers: { cookie: session } });
  const issued = handout.headers.get('x-csrf-token')!;
  const res = await post('/cart', { cookie: `${session}; pp_csrf=${token}`, origin: url, 'x-csrf-token': token });
  assert.equal(res.status, 200);
  await codeOf(res);
  await codeOf(handout);
  const posted = reader!.get(res.headers.get('x-request-id')!)!;
  assert.equal(posted.requestHeaders['x-csrf-token'], '[redacted]');
  for (const call of [posted, reader!.get(handout.headers.get('x-request-id')!)!]) {
    const stored = JSON.stringify(call);
    for (const t of [token, issued]) assert.ok(!stored.includes(t.split('.')[0]), 'a token is in the call log');
  }
});

test('requests authenticated otherwise, safe methods and opted-out routes are not checked', async () => {
  const { key } = await running.store.createKey({ consumer: 'alice', scopes: [], actor: 'test' });
  const { session } = await browserState();
  // An API key on a route that also takes sessions: no browser adds it by itself.
  assert.equal((await post('/mixed', { 'x-api-key': key, origin: 'https://evil.example' })).status, 200);
  // The same route with the session cookie is checked.
  assert.equal(await codeOf(await post('/mixed', { cookie: session, origin: 'https://evil.example' })), 'csrf.origin_not_allowed');
  assert.equal((await fetch(`${url}/cart`, { headers: { cookie: session, origin: 'https://evil.example' } })).status, 200);
  assert.equal((await post('/hook', { cookie: session })).status, 200);
  // Without a session there is nothing to protect: authn refuses.
  assert.equal(await codeOf(await post('/cart', { origin: 'https://evil.example' })), 'authn.credential_missing');
});
