// docs/troubleshooting-403.md shows real refusals of examples/troubleshooting/pinpoint.yaml; this
// test holds each one: the same requests against that config get the codes the walkthrough shows.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { describeParsed } from '../src/explain/describe.ts';
import { explain } from '../src/explain/explain.ts';
import { openStore } from '../src/store/index.ts';
import type { CredentialStore } from '../src/store/types.ts';
import { startGateway, startUpstream, type TestGateway, type Upstream } from './helpers/servers.ts';

const CONFIG = new URL('../examples/troubleshooting/pinpoint.yaml', import.meta.url);
let dir: string;
let store: CredentialStore;
let upstream: Upstream;
let gw: TestGateway;
const key: Record<string, string> = {};

before(async () => {
  process.env.PINPOINT_SESSION_SECRET ??= 'a test session secret of more than 32 characters';
  dir = mkdtempSync(join(tmpdir(), 'pinpoint-walkthrough-'));
  store = openStore(join(dir, 'keys.db'), { report: () => {} });
  upstream = await startUpstream();
  gw = await startGateway(readFileSync(CONFIG, 'utf8').replace('http://127.0.0.1:9090', upstream.url), { store });
  key.checkout = (await store.createKey({ consumer: 'shop-app', scopes: ['orders:read', 'orders:write'], actor: 't' })).key;
  key.dashboard = (await store.createKey({ consumer: 'shop-app', scopes: ['orders:read'], actor: 't' })).key;
  const reports = await store.createKey({ consumer: 'reporting', scopes: ['orders:read', 'orders:write'], actor: 't' });
  key.reports = reports.key;
  const revoked = await store.createKey({ consumer: 'reporting', scopes: ['orders:write'], actor: 't' });
  await store.revokeKey(revoked.record.id, 'laptop stolen', 't');
  key.revoked = revoked.key;
  await store.setPassword('maria', 'maria password 1', 't');
  await new Promise((r) => setTimeout(r, 600)); // the gateway's key index refreshes from the store file
});
after(async () => {
  await gw.close();
  await upstream.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function post(path: string, headers: Record<string, string>, body = '{"item":"book","qty":1}') {
  const res = await fetch(gw.url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const json = (await res.json()) as { code?: string };
  return { status: res.status, code: json.code, res };
}

test('the walkthrough\'s refusals: scope, role, no key, revoked key, WAF, method, content type', async () => {
  assert.deepEqual(await post('/orders', { 'x-api-key': key.dashboard }).then((r) => [r.status, r.code]), [403, 'authz.scope_missing']);
  assert.deepEqual(await post('/orders', { 'x-api-key': key.reports }).then((r) => [r.status, r.code]), [403, 'authz.permission_missing']);
  assert.deepEqual(await post('/orders', {}).then((r) => [r.status, r.code]), [401, 'authn.credential_missing']);
  assert.deepEqual(await post('/orders', { 'x-api-key': key.revoked }).then((r) => [r.status, r.code]), [401, 'authn.key_invalid']);
  assert.deepEqual(await post('/orders', { 'x-api-key': key.checkout }, `{"item":"book","qty":1,"note":"leave at door' OR '1'='1"}`).then((r) => [r.status, r.code]), [403, 'waf.blocked']);
  const put = await fetch(gw.url + '/orders', { method: 'PUT', headers: { 'x-api-key': key.checkout } });
  assert.equal(put.status, 405);
  assert.equal(put.headers.get('allow'), 'GET, HEAD, POST');
  assert.deepEqual(await post('/orders', { 'x-api-key': key.checkout, 'content-type': 'application/x-www-form-urlencoded' }, 'item=book').then((r) => [r.status, r.code]), [415, 'body.media_type_unsupported']);
});

test('the walkthrough\'s rate limit: the fourth POST in a minute is 429 with Retry-After and RateLimit headers', async () => {
  const statuses = [];
  let last;
  for (let i = 0; i < 4; i++) {
    last = await post('/orders', { 'x-api-key': key.checkout });
    statuses.push(last.status);
  }
  assert.deepEqual(statuses, [200, 200, 200, 429]);
  assert.equal(last!.code, 'limits.rate_exceeded');
  assert.ok(Number(last!.res.headers.get('retry-after')) > 0);
  assert.match(last!.res.headers.get('ratelimit')!, /^"per-consumer:60s";r=0;t=\d+$/);
});

test('the walkthrough\'s IP and CSRF refusals', async () => {
  const target = gw.gateway.explainTarget();
  const req = { method: 'POST', url: '/orders', headers: [['Host', 'x'], ['Content-Type', 'application/json'], ['X-API-Key', key.checkout]] as Array<[string, string]>, body: Buffer.from('{}'), source: 'curl' as const };
  assert.equal((await explain(target, describeParsed(req, { peer: '203.0.113.9' }))).decision.code, 'ip.address_denied');

  const login = await fetch(gw.url + '/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'maria', password: 'maria password 1' }) });
  assert.equal(login.status, 200);
  const cookies = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const token = login.headers.get('x-csrf-token')!;
  assert.equal((await post('/cart', { cookie: cookies, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' })).code, 'csrf.cross_site');
  assert.equal((await post('/cart', { cookie: cookies, origin: gw.url })).code, 'csrf.token_missing');
  assert.equal((await post('/cart', { cookie: cookies, origin: gw.url, 'x-csrf-token': token })).status, 200);
});
