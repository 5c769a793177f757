// Session cookies end to end: a gateway started like `pinpoint start` serves the login route,
// sets a signed cookie, and routes with a `session` entry accept it (and refuse forgeries).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openCallLogReader } from '../src/calllog/index.ts';
import { loadConfigText } from '../src/config/load.ts';
import { startPinpoint, type Running } from '../src/server/start.ts';
import { startUpstream, type Upstream } from './helpers/servers.ts';

const SECRET_ENV = 'PINPOINT_TEST_SESSION_SECRET';
let dir: string;
let running: Running;
let upstream: Upstream;
let url: string;
let reader: ReturnType<typeof openCallLogReader> | undefined;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pinpoint-session-'));
  upstream = await startUpstream();
  const configPath = join(dir, 'pinpoint.yaml');
  writeFileSync(
    configPath,
    `
admin: { enabled: false }
log: { file: data/calls.db, flushIntervalMs: 5 }
store: { file: data/keys.db }
authn:
  realm: shop
  sessions: { loginPath: /auth/login, cookie: shop_session, ttlS: 600, secretEnv: ${SECRET_ENV}, secure: false }
tenants:
  acme: {}
consumers:
  alice: { tenant: acme }
  bob: { tenant: acme }
services:
  shop: { upstreams: [{ url: "${upstream.url}" }] }
routes:
  - { id: cart, service: shop, paths: [/cart], authn: [session] }
  - { id: keys-only, service: shop, paths: [/keys-only], authn: [apiKey] }
`,
  );
  process.env[SECRET_ENV] = 'a session signing secret of more than 32 characters';
  running = await startPinpoint({ configPath, port: 0, watch: false, report: () => {} });
  url = `http://127.0.0.1:${running.gatewayAddress.port}`;
  await running.store.setPassword('alice', 'alice password 1', 'test');
});
after(async () => {
  reader?.close();
  await running.close();
  await upstream.close();
  rmSync(dir, { recursive: true, force: true });
});

const login = (body: unknown) => fetch(`${url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const cart = (cookie?: string) => fetch(`${url}/cart`, { headers: cookie ? { cookie } : {} });

async function logged(res: Response) {
  const id = res.headers.get('x-request-id')!;
  for (let i = 0; i < 100; i++) {
    reader ??= openCallLogReader(running.logFile);
    const c = reader.get(id);
    if (c) return c;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${id} is not in the call log`);
}

async function session(): Promise<string> {
  const res = await login({ username: 'alice', password: 'alice password 1' });
  assert.equal(res.status, 200);
  return res.headers.getSetCookie()[0].split(';')[0];
}

test('login sets a signed HttpOnly SameSite=Lax cookie; the session route accepts it and names the consumer', async () => {
  const res = await login({ username: 'alice', password: 'alice password 1' });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  const [setCookie, csrfCookie] = res.headers.getSetCookie();
  assert.match(setCookie, /^shop_session=v1\.[^;]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=600$/, 'no Secure: secure is false in this config');
  // The page gets its CSRF token with the session: a readable cookie and the same value in a header.
  const token = res.headers.get('x-csrf-token')!;
  assert.match(csrfCookie, new RegExp(`^pp_csrf=${token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}; Path=/; SameSite=Strict; Max-Age=\\d+$`));
  assert.equal(((await res.json()) as { consumer: string }).consumer, 'alice');
  const loggedIn = (await logged(res)).decision;
  assert.equal(loggedIn.credential, 'login:alice');
  assert.equal(loggedIn.route, 'pinpoint.login');
  assert.deepEqual(
    loggedIn.trace.filter((t) => ['protocol', 'route', 'method', 'body', 'authn'].includes(t.layer)).map((t) => [t.layer, t.verdict]),
    [['protocol', 'pass'], ['route', 'pass'], ['method', 'pass'], ['body', 'pass'], ['authn', 'pass']],
    'the login route runs through the whole pipeline',
  );
  const ok = await cart(`theme=dark; ${setCookie.split(';')[0]}`);
  assert.equal(ok.status, 200);
  const c = await logged(ok);
  assert.equal(c.consumer, 'alice');
  assert.equal(c.tenant, 'acme');
  assert.equal(c.decision.credential, 'session:alice');
});

test('a wrong password or unknown user is refused at login with password_invalid; a bad body is malformed', async () => {
  for (const body of [{ username: 'alice', password: 'wrong password' }, { username: 'mallory', password: 'x' }, { username: 'bob', password: 'x' }]) {
    const res = await login(body);
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('set-cookie'), null);
    assert.match(res.headers.get('www-authenticate')!, /^Session realm="shop", cookie="shop_session", login="\/auth\/login"$/);
    assert.equal(((await res.json()) as { code: string }).code, 'authn.password_invalid');
  }
  const bad = await login({ user: 'alice' });
  assert.equal(((await bad.json()) as { code: string }).code, 'authn.credential_malformed');
  const notJson = await fetch(`${url}/auth/login`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'alice:secret' });
  assert.equal(((await notJson.json()) as { code: string }).code, 'authn.credential_malformed');
});

test('the login route is a route like any other: only POST, a small body, refusals logged with their trace', async () => {
  const get = await fetch(`${url}/auth/login`);
  assert.equal(get.status, 405);
  assert.equal(get.headers.get('allow'), 'POST');
  const huge = await login({ username: 'alice', password: 'x'.repeat(5000) });
  assert.equal(huge.status, 413);
  assert.equal(((await huge.json()) as { code: string }).code, 'body.too_large');
  const wrong = await login({ username: 'alice', password: 'wrong password' });
  const d = (await logged(wrong)).decision;
  assert.equal(d.code, 'authn.password_invalid');
  assert.equal(d.credential, 'login:alice');
  assert.equal(d.trace.find((t) => t.layer === 'authn')?.verdict, 'deny');
  assert.ok(!JSON.stringify(d).includes('wrong password'), 'the password is nowhere in the decision');
});

test('no cookie, a forged or tampered cookie: 401 with the Session challenge', async () => {
  const none = await cart();
  assert.equal(none.status, 401);
  assert.equal(((await none.json()) as { code: string }).code, 'authn.credential_missing');
  assert.match(none.headers.get('www-authenticate')!, /^Session realm="shop"/);
  const good = await session();
  const [name, value] = good.split('=');
  const parts = value.split('.');
  parts[1] = Buffer.from('bob').toString('base64url');
  for (const cookie of [`${name}=${parts.join('.')}`, `${name}=garbage`, `${name}=${value.slice(0, -2)}xx`]) {
    const res = await cart(cookie);
    assert.equal(res.status, 401, cookie);
    assert.equal(((await res.json()) as { code: string }).code, 'authn.session_invalid', cookie);
  }
  const c = await logged(await cart(`${name}=${parts.join('.')}`));
  assert.match(c.decision.detail!, /signature does not match/);
});

test('the session cookie is not forwarded upstream; the other cookies are', async () => {
  const cookie = await session();
  const seen = upstream.seen.length;
  assert.equal((await cart(`theme=dark; ${cookie}; lang=en`)).status, 200);
  assert.equal(upstream.seen[seen].headers.cookie, 'theme=dark; lang=en');
  assert.equal((await cart(cookie)).status, 200);
  assert.equal(upstream.seen[seen + 1].headers.cookie, undefined);
});

test('an expired session is session_expired; a password change ends earlier sessions', async () => {
  const { signSession } = await import('../src/layers/authn/session/cookie.ts');
  const key = Buffer.from(process.env[SECRET_ENV]!);
  const stamp = running.store.password('alice')!.updatedAt;
  const old = signSession(key, { consumer: 'alice', expiresAt: Math.floor(Date.now() / 1000) - 5, passwordStamp: stamp });
  const expired = await cart(`shop_session=${old}`);
  assert.equal(expired.status, 401);
  assert.equal(((await expired.json()) as { code: string }).code, 'authn.session_expired');
  assert.equal((await logged(expired)).consumer, 'alice', 'the consumer of an expired session is named');
  const cookie = await session();
  assert.equal((await cart(cookie)).status, 200);
  await running.store.setPassword('alice', 'alice password 2', 'test');
  const after = await cart(cookie);
  assert.equal(after.status, 401);
  const c = await logged(after);
  assert.equal(c.decision.code, 'authn.session_invalid');
  assert.match(c.decision.detail!, /password was changed/);
});

test('a route that does not accept sessions ignores the cookie: credential_missing, not malformed', async () => {
  const cookie = `shop_session=${await session().then((c) => c.split('=')[1], () => 'v1.x.1.1.x')}`;
  const res = await fetch(`${url}/keys-only`, { headers: { cookie } });
  assert.equal(res.status, 401);
  assert.equal(((await res.json()) as { code: string }).code, 'authn.credential_missing');
});

test('a config with sessions but no signing secret (or a short one) fails the load at secretEnv', () => {
  const yaml = (env: string) => `authn:\n  sessions: { secretEnv: ${env} }\n`;
  assert.throws(() => loadConfigText(yaml('PINPOINT_TEST_SESSION_UNSET'), 't.yaml'), /t\.yaml:2:\d+\s+authn\.sessions\.secretEnv\s+environment variable PINPOINT_TEST_SESSION_UNSET .* is not set/);
  process.env.PINPOINT_TEST_SESSION_SHORT = 'too short';
  assert.throws(() => loadConfigText(yaml('PINPOINT_TEST_SESSION_SHORT'), 't.yaml'), /shorter than 32 characters/);
});
