// explain: a dry run of the live pipeline for a pasted request, and the fixes it proves by
// running the changed request again. A real credential store (SQLite) holds the API keys.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadConfigText } from '../src/config/load.ts';
import type { Config } from '../src/config/schema.ts';
import { describeParsed } from '../src/explain/describe.ts';
import { explain, type ExplainTarget } from '../src/explain/explain.ts';
import type { ParsedRequest } from '../src/explain/types.ts';
import { compilePipeline, type PipelineDeps } from '../src/pipeline/order.ts';
import { openStore } from '../src/store/index.ts';
import type { CredentialStore } from '../src/store/types.ts';

const YAML = `
tenants:
  acme: {}
  frozen: { status: suspended, reason: unpaid invoices }
roles:
  viewer: { permissions: ["orders:read"] }
  writer: { permissions: ["orders:read", "orders:write"] }
consumers:
  alice: { tenant: acme, roles: [viewer] }
  bob: { tenant: acme, roles: [writer] }
  banned: { tenant: acme, roles: [writer], status: suspended, reason: scraping }
  ice: { tenant: frozen, roles: [writer] }
services:
  orders: { upstreams: [{ url: "http://127.0.0.1:9" }] }
routes:
  - id: orders
    service: orders
    paths: [/orders]
    methods: [GET, POST]
    authn: [apiKey]
    authz: { require: { GET: ["orders:read"], POST: ["orders:write"] } }
  - { id: status, service: orders, paths: [/status], methods: [GET] }
`;

let dir: string;
let store: CredentialStore;
let target: ExplainTarget;
let config: Config;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pinpoint-explain-'));
  store = openStore(join(dir, 'store.db'), { report: () => {} });
  const loaded = loadConfigText(YAML, 'explain.yaml');
  config = loaded.config;
  const deps: PipelineDeps = { authn: { keys: store, passwords: store } };
  target = { config, revision: loaded.revision, pipeline: compilePipeline(config, deps), compile: (c) => compilePipeline(c, deps) };
});
after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const req = (method: string, url: string, headers: Array<[string, string]> = [], body?: string): ParsedRequest => ({
  method,
  url,
  headers: [['Host', 'api.example.com'], ...headers],
  body: body === undefined ? undefined : Buffer.from(body),
  source: 'curl',
});

test('an allowed request is a dry run: the decision has disposition explain and nothing to fix', async () => {
  const r = await explain(target, describeParsed(req('GET', '/status')));
  assert.equal(r.decision.outcome, 'allow');
  assert.equal(r.decision.disposition, 'explain');
  assert.deepEqual(r.fixes, []);
});

test('405: explain proves that another method passes and that adding the method to the route does', async () => {
  const r = await explain(target, describeParsed(req('DELETE', '/status')));
  assert.equal(r.decision.code, 'method.not_allowed');
  const proved = r.fixes.filter((f) => f.proved);
  assert.deepEqual(proved.map((f) => [f.who, f.action, f.after?.outcome]), [
    ['client', 'Send it as GET.', 'allow'],
    ['operator', 'Add DELETE to routes[1] (status).methods.', 'allow'],
  ]);
  assert.ok(r.fixes.some((f) => !f.proved && f.source === 'layer'), 'the layer\'s own fixes are kept, marked unproved');
});

test('a key of a read-only scope: the scope fix is proved for the key owner; a viewer needs the writer role', async () => {
  const readOnly = await store.createKey({ consumer: 'bob', scopes: ['orders:read'], actor: 'test' });
  const r = await explain(target, describeParsed(req('POST', '/orders', [['X-API-Key', readOnly.key], ['Content-Type', 'application/json']], '{}')));
  assert.equal(r.decision.code, 'authz.scope_missing');
  const scope = r.fixes.find((f) => f.proved && f.who === 'key_owner');
  assert.ok(scope, JSON.stringify(r.fixes));
  assert.match(scope.action, /scope orders:write/);
  assert.equal(scope.after?.outcome, 'allow');

  const viewerKey = await store.createKey({ consumer: 'alice', scopes: ['orders:read', 'orders:write'], actor: 'test' });
  const v = await explain(target, describeParsed(req('POST', '/orders', [['X-API-Key', viewerKey.key]], '{}')));
  assert.equal(v.decision.code, 'authz.permission_missing');
  const roles = v.fixes.filter((f) => f.proved && f.who === 'tenant_admin').map((f) => f.action);
  assert.deepEqual(roles, ['Give alice the role writer (consumers.alice.roles).'], 'only the role that grants orders:write is proved');
  assert.ok(v.triedWithoutEffect >= 0);
});

test('--as: what if this consumer sent it; a suspended consumer or tenant is still refused, and the fix is proved', async () => {
  const noKey = describeParsed(req('POST', '/orders', [], '{}'));
  assert.equal((await explain(target, noKey)).decision.code, 'authn.credential_missing');
  assert.equal((await explain(target, noKey, { as: 'bob' })).decision.outcome, 'allow');
  assert.equal((await explain(target, noKey, { as: 'alice' })).decision.code, 'authz.permission_missing');
  const banned = await explain(target, noKey, { as: 'banned' });
  assert.equal(banned.decision.code, 'authn.consumer_suspended');
  assert.deepEqual(banned.fixes.filter((f) => f.proved).map((f) => [f.who, f.action]), [['tenant_admin', 'Set consumers.banned.status to active.']]);
  const ice = await explain(target, noKey, { as: 'ice' });
  assert.equal(ice.decision.code, 'authn.tenant_suspended');
  assert.deepEqual(ice.fixes.filter((f) => f.proved).map((f) => f.action), ['Set tenants.frozen.status to active.']);
});

test('a dry run writes nothing: an accepted key gets no last-used time from explain', async () => {
  const k = await store.createKey({ consumer: 'bob', scopes: ['orders:write'], actor: 'test' });
  const r = await explain(target, describeParsed(req('POST', '/orders', [['X-API-Key', k.key]], '{}')));
  assert.equal(r.decision.outcome, 'allow');
  await store.flush();
  assert.equal((await store.getKey(k.record.id))?.lastUsedAt, undefined);
});

test('a revoked key: explain proves that a valid credential of the same consumer would pass, and nothing is written', async () => {
  const k = await store.createKey({ consumer: 'bob', scopes: ['orders:write'], actor: 'test' });
  await store.revokeKey(k.record.id, 'leaked', 'test');
  await new Promise((r) => setTimeout(r, 50));
  const r = await explain(target, describeParsed(req('POST', '/orders', [['X-API-Key', k.key]], '{}')));
  assert.equal(r.decision.code, 'authn.key_revoked');
  assert.equal(r.decision.consumer, 'bob');
  const fix = r.fixes.find((f) => f.proved);
  assert.equal(fix?.who, 'client');
  assert.match(fix!.action, /valid credential of bob/);
  assert.equal(JSON.stringify(r).includes(k.key), false, 'the key never appears in the report');
});

test('IP lists: explain proves the operator\'s change on a copy of the config (drop the deny entry, add to the allow list)', async () => {
  const { config: cfg } = loadConfigText(YAML.replace('routes:\n', 'ip: { deny: ["203.0.113.0/24", "198.51.100.7"] }\nroutes:\n').replace('  - { id: status, service: orders, paths: [/status], methods: [GET] }', '  - { id: status, service: orders, paths: [/status], methods: [GET], ip: { allow: ["192.0.2.0/24"] } }'), 'ip.yaml');
  const deps: PipelineDeps = { authn: { keys: store, passwords: store } };
  const t: ExplainTarget = { config: cfg, revision: 'r', pipeline: compilePipeline(cfg, deps), compile: (c) => compilePipeline(c, deps) };
  const denied = await explain(t, describeParsed(req('GET', '/status'), { peer: '198.51.100.7' }));
  assert.equal(denied.decision.code, 'ip.address_denied');
  assert.deepEqual(denied.fixes.filter((f) => f.proved).map((f) => [f.who, f.action]), [['operator', 'Remove entry 1 of ip.deny.']]);
  const outside = await explain(t, describeParsed(req('GET', '/status'), { peer: '10.1.2.3' }));
  assert.equal(outside.decision.code, 'ip.address_not_allowed');
  assert.deepEqual(outside.fixes.filter((f) => f.proved).map((f) => f.action), ['Add 10.1.2.3 to routes[1].ip.allow.']);
});

test('WAF: explain proves which body field triggers the block and the operator\'s exclusion', async () => {
  const { config: cfg } = loadConfigText(YAML.replace('  - { id: status, service: orders, paths: [/status], methods: [GET] }', '  - { id: status, service: orders, paths: [/status], methods: [GET, POST], waf: { paranoia: 1 } }'), 'waf.yaml');
  const deps: PipelineDeps = { authn: { keys: store, passwords: store } };
  const t: ExplainTarget = { config: cfg, revision: 'r', pipeline: compilePipeline(cfg, deps), compile: (c) => compilePipeline(c, deps) };
  const r = await explain(t, describeParsed(req('POST', '/status', [['Content-Type', 'application/json']], `{"item":"book","note":"leave at door' OR '1'='1"}`)));
  assert.equal(r.decision.code, 'waf.blocked');
  const proved = r.fixes.filter((f) => f.proved);
  assert.deepEqual(proved.map((f) => f.who), ['client', 'operator']);
  assert.match(proved[0].action, /from body\.note: without it the request is not blocked/);
  assert.match(proved[1].action, /waf\.exclusions \+= \{ rule: sqli-\d+, field: "body\.note" \}/);
  assert.ok(proved.every((f) => f.after?.outcome === 'allow'));
});
