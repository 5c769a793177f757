// CORS end to end on a real gateway: preflights answered by the gateway (allowed, or refused
// with the reason), Access-Control-* headers on proxied answers and on problems, origin tricks.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { StoredCall } from '../src/calllog/types.ts';
import { loadConfigText } from '../src/config/load.ts';
import { openStore } from '../src/store/index.ts';
import type { CredentialStore } from '../src/store/types.ts';
import { startGateway, startUpstream, type TestGateway, type Upstream } from './helpers/servers.ts';

const APP = 'https://app.example.com';
let upstream: Upstream;
let gw: TestGateway;
let store: CredentialStore;
let dir: string;

before(async () => {
  // The upstream sets CORS headers of its own: the gateway's must replace them, not be added to them.
  upstream = await startUpstream((req, res, body) => {
    res.setHeader('access-control-allow-origin', '*');
    res.setHeader('vary', 'Accept-Encoding');
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ method: req.method, body }));
  });
  dir = mkdtempSync(join(tmpdir(), 'pinpoint-cors-'));
  store = openStore(join(dir, 'store.db'));
  gw = await startGateway(
    `
cors:
  origins: ["${APP}", "https://*.partner.example"]
  headers: [content-type, x-api-key]
  exposeHeaders: [retry-after]
  credentials: true
  maxAgeS: 300
services:
  s: { upstreams: [{ url: "${upstream.url}" }] }
routes:
  - { id: orders, service: s, paths: [/orders], methods: [GET, POST, PUT] }
  - { id: order-delete, service: s, paths: [/orders], methods: [DELETE], cors: { origins: ["https://admin.example.com"], methods: [DELETE] } }
  - { id: keyed, service: s, paths: [/keyed], methods: [GET], authn: [apiKey] }
  - { id: public, service: s, paths: [/public], methods: [GET], cors: { origins: ["*"] } }
  - { id: plain, service: s, paths: [/plain], methods: [GET], cors: false }
`,
    { store },
  );
});
after(async () => {
  await gw.close();
  await upstream.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function logged(res: Response): Promise<StoredCall> {
  const id = res.headers.get('x-request-id')!;
  const reader = await gw.reader();
  for (let i = 0; i < 400; i++) {
    const call = reader.get(id);
    if (call) return call;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${id} is not in the call log`);
}

const preflight = (path: string, origin: string, method: string, headers?: string) =>
  fetch(gw.url + path, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': method, ...(headers ? { 'access-control-request-headers': headers } : {}) },
  });

test('an allowed preflight is answered by the gateway with 204 and the permissions, never forwarded', async () => {
  const before = upstream.seen.length;
  const res = await preflight('/orders', APP, 'PUT', 'Content-Type, X-API-Key');
  assert.equal(res.status, 204);
  assert.equal(res.headers.get('access-control-allow-origin'), APP);
  assert.equal(res.headers.get('access-control-allow-credentials'), 'true');
  assert.equal(res.headers.get('access-control-allow-methods'), 'PUT');
  assert.equal(res.headers.get('access-control-allow-headers'), 'content-type, x-api-key');
  assert.equal(res.headers.get('access-control-max-age'), '300');
  assert.match(res.headers.get('vary')!, /Origin, Access-Control-Request-Method/);
  assert.equal(upstream.seen.length, before, 'nothing was forwarded');
  const call = await logged(res);
  assert.equal(call.outcome, 'allow');
  assert.equal(call.status, 204);
  assert.deepEqual(call.decision.answer, { status: 204 });
  // The route does not list OPTIONS: the method layer handed the preflight to the PUT route.
  assert.equal(call.route, 'orders');
  // A subdomain pattern.
  assert.equal((await preflight('/orders', 'https://eu.partner.example', 'PUT')).status, 204);
});

test('a preflight is decided by the route that serves the requested method', async () => {
  assert.equal((await preflight('/orders', 'https://admin.example.com', 'DELETE')).status, 204);
  const res = await preflight('/orders', APP, 'DELETE');
  assert.equal(res.status, 403);
  const call = await logged(res);
  assert.equal(call.code, 'cors.origin_not_allowed');
  assert.equal(call.decision.rule?.id, 'routes[1].cors.origins');
});

test('refused preflights say why: origin, method or header; no Access-Control-Allow-Origin, so the browser fails the call', async () => {
  const origin = await preflight('/orders', 'https://evil.example', 'PUT');
  assert.equal(origin.status, 403);
  assert.equal(origin.headers.get('access-control-allow-origin'), null);
  const ob = await origin.json();
  assert.equal(ob.code, 'cors.origin_not_allowed');
  assert.equal(ob.hint, 'Pages on https://evil.example may not call this API.');

  const method = await preflight('/orders', APP, 'PATCH');
  assert.equal(method.status, 403);
  assert.equal((await method.json()).code, 'cors.method_not_allowed');
  const mc = await logged(method);
  assert.match(mc.decision.detail!, /PATCH, which route orders does not serve/);

  const header = await preflight('/orders', APP, 'PUT', 'content-type, x-evil');
  assert.equal(header.status, 403);
  const hb = await header.json();
  assert.equal(hb.code, 'cors.header_not_allowed');
  assert.match(hb.hint, /x-evil may not be sent/);
  const hc = await logged(header);
  assert.equal(hc.decision.rule?.id, 'cors.headers');
  // The layers after cors did not run for a preflight.
  assert.ok(hc.decision.trace.every((t) => !['authn', 'csrf', 'authz', 'limits'].includes(t.layer) || t.verdict === 'skipped'));
});

test('actual cross-origin requests get the headers; the upstream\'s own CORS headers are replaced, its Vary kept', async () => {
  const res = await fetch(gw.url + '/orders', { headers: { origin: APP } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('access-control-allow-origin'), APP);
  assert.equal(res.headers.get('access-control-allow-credentials'), 'true');
  assert.equal(res.headers.get('access-control-expose-headers'), 'x-request-id, retry-after');
  assert.equal(res.headers.get('vary'), 'Origin, Accept-Encoding');
  // Any origin, without credentials: *.
  const pub = await fetch(gw.url + '/public', { headers: { origin: 'https://anyone.example' } });
  assert.equal(pub.headers.get('access-control-allow-origin'), '*');
  assert.equal(pub.headers.get('access-control-allow-credentials'), null);
});

test('problems carry the CORS headers too, so the page can read why it was refused', async () => {
  const res = await fetch(gw.url + '/keyed', { headers: { origin: APP } });
  assert.equal(res.status, 401);
  assert.equal(res.headers.get('access-control-allow-origin'), APP);
  assert.equal((await res.json()).code, 'authn.credential_missing');
  // Even an unknown path: the gateway's rules apply.
  const nf = await fetch(gw.url + '/nowhere', { headers: { origin: APP } });
  assert.equal(nf.status, 404);
  assert.equal(nf.headers.get('access-control-allow-origin'), APP);
});

test('an actual request from an origin that is not allowed is refused; same-origin and origin-less requests pass', async () => {
  const evil = await fetch(gw.url + '/orders', { method: 'POST', headers: { origin: 'https://evil.example', 'content-type': 'text/plain' }, body: 'x' });
  assert.equal(evil.status, 403);
  assert.equal((await evil.json()).code, 'cors.origin_not_allowed');
  const same = await fetch(gw.url + '/orders', { method: 'POST', headers: { origin: gw.url }, body: 'x' });
  assert.equal(same.status, 200);
  // The gateway added nothing: what is there is the upstream's own header.
  assert.equal(same.headers.get('access-control-allow-origin'), '*');
  assert.equal(same.headers.get('access-control-allow-credentials'), null);
  const none = await fetch(gw.url + '/orders');
  assert.equal(none.status, 200);
  assert.equal(none.headers.get('vary'), 'Origin, Accept-Encoding');
});

test('origin tricks: look-alike hosts, other schemes, ports, null, and a route without CORS', async () => {
  for (const o of ['https://app.example.com.evil.example', 'http://app.example.com', 'https://app.example.com:8443', 'null', 'https://evilpartner.example', 'https://partner.example', 'not an origin', 'https://app.example.com@evil.example']) {
    const res = await preflight('/orders', o, 'PUT');
    assert.equal(res.status, 403, o);
    assert.equal((await res.json()).code, 'cors.origin_not_allowed', o);
  }
  // Case and a default port do not change an origin.
  assert.equal((await preflight('/orders', 'https://APP.example.com:443', 'PUT')).status, 204);
  // cors: false: no CORS on the route; a preflight is an ordinary OPTIONS request (405 here).
  const plain = await preflight('/plain', APP, 'GET');
  assert.equal(plain.status, 405);
  assert.equal((await plain.json()).code, 'method.not_allowed');
});

test('credentials with * is refused at load, at the entry', () => {
  assert.throws(() => loadConfigText('cors:\n  origins: ["*"]\n  credentials: true\n', 'c.yaml'), /c\.yaml:2:\d+ +cors\.origins\[0\] +with credentials: true, list the origins/);
  assert.throws(() => loadConfigText('cors: { origins: ["https://a.example/path"] }\n', 'c.yaml'), /an origin is scheme:\/\/host/);
});
