// explain must agree with live enforcement: a set of requests is sent to a real gateway, and
// each, exactly as sent, is then run through explain against the same running pipeline. The
// decision (outcome, code, layer, rule) and the trace (every layer and its verdict) must be
// identical. Limits are left out on purpose: a dry run reads counters that the live run charged.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Decision } from '../src/decision/types.ts';
import { describeParsed } from '../src/explain/describe.ts';
import { explain } from '../src/explain/explain.ts';
import type { ParsedRequest } from '../src/explain/types.ts';
import { openStore } from '../src/store/index.ts';
import type { CredentialStore } from '../src/store/types.ts';
import { startGateway, startUpstream, type TestGateway, type Upstream } from './helpers/servers.ts';

let dir: string;
let store: CredentialStore;
let upstream: Upstream;
let gw: TestGateway;
const keys: Record<string, string> = {};

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pinpoint-agree-'));
  store = openStore(join(dir, 'store.db'), { report: () => {} });
  upstream = await startUpstream();
  gw = await startGateway(
    `
tenants: { acme: {}, globex: {} }
roles:
  viewer: { permissions: ["orders:read"] }
  writer: { permissions: ["orders:*"] }
consumers:
  alice: { tenant: acme, roles: [viewer] }
  bob: { tenant: acme, roles: [writer] }
  carol: { tenant: globex, roles: [writer], status: suspended, reason: test }
services:
  orders: { upstreams: [{ url: "${upstream.url}" }] }
routes:
  - id: orders
    service: orders
    paths: [/orders]
    methods: [GET, POST]
    authn: [apiKey]
    authz: { require: { GET: ["orders:read"], POST: ["orders:write"] } }
    body: { maxBytes: 64 }
    waf: { paranoia: 1 }
  - id: order
    service: orders
    paths: [/orders/:id]
    methods: [GET]
  - id: internal
    service: orders
    paths: [/internal]
    ip: { deny: ["127.0.0.0/8"] }
`,
    { store },
  );
  for (const [name, consumer, scopes] of [['bobWrite', 'bob', ['orders:read', 'orders:write']], ['bobRead', 'bob', ['orders:read']], ['alice', 'alice', ['orders:read', 'orders:write']], ['carol', 'carol', ['orders:write']]] as const) {
    keys[name] = (await store.createKey({ consumer, scopes: [...scopes], actor: 'test' })).key;
  }
  const revoked = await store.createKey({ consumer: 'bob', scopes: ['orders:write'], actor: 'test' });
  await store.revokeKey(revoked.record.id, 'test', 'test');
  keys.revoked = revoked.key;
  await new Promise((r) => setTimeout(r, 600)); // the gateway's key index refreshes from the store file
});
after(async () => {
  await gw.close();
  await upstream.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const json = [['Content-Type', 'application/json']] as Array<[string, string]>;
const CASES: Array<{ name: string; req: ParsedRequest }> = [
  { name: 'allowed POST', req: { method: 'POST', url: '/orders', headers: [...json, ['X-API-Key', 'bobWrite']], body: Buffer.from('{"item":"book"}'), source: 'http' } },
  { name: 'no key', req: { method: 'POST', url: '/orders', headers: json, body: Buffer.from('{}'), source: 'http' } },
  { name: 'revoked key', req: { method: 'POST', url: '/orders', headers: [...json, ['X-API-Key', 'revoked']], body: Buffer.from('{}'), source: 'http' } },
  { name: 'read-only key', req: { method: 'POST', url: '/orders', headers: [...json, ['X-API-Key', 'bobRead']], body: Buffer.from('{}'), source: 'http' } },
  { name: 'viewer', req: { method: 'POST', url: '/orders', headers: [...json, ['X-API-Key', 'alice']], body: Buffer.from('{}'), source: 'http' } },
  { name: 'viewer reads', req: { method: 'GET', url: '/orders?page=2', headers: [['X-API-Key', 'alice']], source: 'http' } },
  { name: 'suspended', req: { method: 'POST', url: '/orders', headers: [...json, ['X-API-Key', 'carol']], body: Buffer.from('{}'), source: 'http' } },
  { name: 'method', req: { method: 'DELETE', url: '/orders', headers: [], source: 'http' } },
  { name: 'no route', req: { method: 'GET', url: '/nothing', headers: [], source: 'http' } },
  { name: 'body too large', req: { method: 'POST', url: '/orders', headers: [...json, ['X-API-Key', 'bobWrite']], body: Buffer.from(JSON.stringify({ note: 'x'.repeat(80) })), source: 'http' } },
  { name: 'WAF', req: { method: 'POST', url: '/orders', headers: [...json, ['X-API-Key', 'bobWrite']], body: Buffer.from(`{"q":"1' OR '1'='1"}`), source: 'http' } },
  { name: 'IP deny', req: { method: 'GET', url: '/internal', headers: [], source: 'http' } },
];

/** The request as sent, with the named key filled in. */
function materialise(r: ParsedRequest): ParsedRequest {
  return { ...r, headers: [['Host', 'api.example.test'], ...r.headers.map(([n, v]): [string, string] => [n, n === 'X-API-Key' ? keys[v] : v])] };
}

function shape(d: Decision) {
  return { outcome: d.outcome, code: d.code, layer: d.layer, rule: d.rule?.id, consumer: d.consumer, trace: d.trace.map((t) => `${t.layer}:${t.verdict}${t.code ? `:${t.code}` : ''}`) };
}

test('every live decision is the decision explain gives for the same request', async () => {
  const reader = await gw.reader();
  const live: Array<{ name: string; req: ParsedRequest; id: string }> = [];
  for (const c of CASES) {
    const req = materialise(c.req);
    const res = await fetch(gw.url + req.url, { method: req.method, headers: req.headers.filter(([n]) => n !== 'Host'), body: req.body && new Uint8Array(req.body) });
    await res.arrayBuffer();
    live.push({ name: c.name, req, id: res.headers.get('x-request-id')! });
  }
  const target = gw.gateway.explainTarget();
  const codes = new Set<string>();
  for (const l of live) {
    let stored;
    for (let i = 0; i < 100 && !(stored = reader.get(l.id)); i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(stored, `${l.name}: logged`);
    const { decision } = await explain(target, describeParsed(l.req, { peer: '127.0.0.1', derive: target.pipeline.clientAddress }));
    assert.deepEqual(shape(decision), shape(stored.decision), `${l.name}: explain and live enforcement agree`);
    codes.add(decision.code ?? 'allow');
  }
  // The set covers the layers it claims to (a guard against a case silently passing for another reason).
  for (const code of ['allow', 'authn.credential_missing', 'authn.key_revoked', 'authz.scope_missing', 'authz.permission_missing', 'authn.consumer_suspended', 'method.not_allowed', 'route.not_found', 'body.too_large', 'waf.blocked', 'ip.address_denied']) {
    assert.ok(codes.has(code), `a case ends in ${code}: ${[...codes].join(', ')}`);
  }
});
