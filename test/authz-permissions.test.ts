// Roles, permissions, scopes and tenant isolation of routes, end to end: a real gateway, API
// keys in a real store, a real upstream; the refusals checked as the caller sees them and as
// the call log keeps them for the operator.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, problemOf, startAuthzWorld, type AuthzWorld } from './helpers/authz-gateway.ts';

const YAML = (upstream: string) => `
tenants:
  acme: {}
  globex: {}
  partner:
    routes: [catalog]
  tailored:
    roles:
      viewer: { permissions: [orders:read, orders:write] }
roles:
  viewer: { permissions: [orders:read, catalog:read] }
  writer: { permissions: [orders:read, orders:write, catalog:read] }
  admin: { permissions: ["orders:*", "catalog:*"], actFor: tenant }
  auditor: { permissions: ["*"] }
consumers:
  acme-viewer: { tenant: acme, roles: [viewer] }
  acme-writer: { tenant: acme, roles: [writer] }
  acme-admin: { tenant: acme, roles: [admin] }
  acme-nobody: { tenant: acme }
  acme-auditor: { tenant: acme, roles: [auditor] }
  globex-writer: { tenant: globex, roles: [writer] }
  partner-viewer: { tenant: partner, roles: [viewer] }
  tailored-viewer: { tenant: tailored, roles: [viewer] }
services:
  orders: { upstreams: [{ url: "${upstream}" }] }
routes:
  - id: orders
    service: orders
    paths: [/orders]
    methods: [GET, POST]
    authn: [apiKey]
    authz: { require: { GET: [orders:read], POST: [orders:write] } }
  - id: order-items
    service: orders
    paths: [/orders/items]
    methods: [POST]
    authn: [apiKey]
    authz: { require: [orders:items:write] }
  - id: refunds
    service: orders
    paths: [/refunds]
    methods: [POST]
    authn: [apiKey]
    authz: { require: [orders:write], roles: [admin] }
  - id: acme-reports
    service: orders
    paths: [/reports]
    methods: [GET]
    authn: [apiKey]
    authz: { require: [orders:read], tenants: [acme] }
  - id: catalog
    service: orders
    paths: [/catalog]
    methods: [GET]
    authn: [apiKey]
    authz: { require: [catalog:read] }
  - id: public
    service: orders
    paths: [/public]
    methods: [GET]
`;

let w: AuthzWorld;
before(async () => {
  w = await startAuthzWorld(YAML);
});
after(() => w.close());

test('a writer with a write key may POST; a viewer with a read key may GET', async () => {
  const writer = await w.key('acme-writer', ['orders:read', 'orders:write']);
  const viewer = await w.key('acme-viewer', ['orders:read']);
  assert.equal((await call(w, 'POST', '/orders', { key: writer, body: { item: 'book' } })).status, 200);
  assert.equal((await call(w, 'GET', '/orders', { key: viewer })).status, 200);
  assert.equal((await call(w, 'HEAD', '/orders', { key: viewer })).status, 200, 'HEAD needs what GET needs');
  assert.equal((await call(w, 'GET', '/public')).status, 200, 'a route without authz stays public');
});

test('a viewer cannot POST, even with a key that has the scope: authz.permission_missing names the roles that grant it', async () => {
  const key = await w.key('acme-viewer', ['orders:read', 'orders:write']);
  const seen = w.upstream.seen.length;
  const res = await call(w, 'POST', '/orders', { key, body: { item: 'book' } });
  assert.equal(res.status, 403);
  const body = await problemOf(res);
  assert.equal(body.code, 'authz.permission_missing');
  assert.equal(body.layer, 'authz');
  assert.match(String(body.hint), /lacks the permission orders:write/);
  assert.deepEqual(body.missing, ['orders:write']);
  assert.deepEqual(body.required, ['orders:write']);
  assert.equal(res.headers.get('www-authenticate'), null, 'not a scope problem: no insufficient_scope challenge');
  assert.equal(w.upstream.seen.length, seen, 'nothing was forwarded');
  const logged = await w.logged(res);
  const d = logged.decision;
  assert.equal(d.code, 'authz.permission_missing');
  assert.equal(d.layer, 'authz');
  assert.equal(d.rule?.id, 'route:orders:authz.require');
  assert.match(d.detail!, /consumer acme-viewer \(roles viewer\) lacks orders:write/);
  assert.match(d.detail!, /role viewer lacks orders:write; roles that grant it: writer, admin, auditor/);
  assert.ok(d.fixes.some((f) => f.who === 'tenant_admin' && /Give acme-viewer one of the roles writer, admin, auditor/.test(f.action) && f.proved === false));
  assert.ok(d.fixes.some((f) => f.who === 'operator' && /roles\.viewer\.permissions/.test(f.action)));
  assert.equal(d.trace.find((t) => t.layer === 'authz')?.verdict, 'deny');
});

test('a read-only key of an admin stays read-only: authz.scope_missing with required and granted scopes', async () => {
  const key = await w.key('acme-admin', ['orders:read']);
  const res = await call(w, 'POST', '/orders', { key, body: {} });
  assert.equal(res.status, 403);
  const body = await problemOf(res);
  assert.equal(body.code, 'authz.scope_missing');
  assert.deepEqual(body.required, ['orders:write']);
  assert.deepEqual(body.granted, ['orders:read']);
  assert.match(String(body.hint), /needs the scope orders:write; your key has orders:read/);
  assert.equal(res.headers.get('www-authenticate'), null, 'a key in X-API-Key is not a bearer credential');
  const d = (await w.logged(res)).decision;
  const label = d.credential!;
  assert.match(label, /^pk_.+…$/);
  assert.equal(d.detail, `key ${label} has scopes [orders:read]; route orders (POST /orders) requires orders:write: add scope orders:write to the key, or use a key that has it`);
  const owner = d.fixes.find((f) => f.who === 'key_owner');
  assert.ok(owner && /--consumer acme-admin --scopes orders:read,orders:write/.test(owner.action), JSON.stringify(d.fixes));
  assert.ok(d.fixes.some((f) => f.who === 'client' && /Use a key that has the scope orders:write/.test(f.action)));
  assert.ok(!JSON.stringify(d).includes(key), 'the key itself is nowhere in the decision');
});

test('the same key sent as Authorization: Bearer gets the RFC 6750 insufficient_scope challenge', async () => {
  const key = await w.key('acme-admin', ['orders:read']);
  const res = await fetch(w.url + '/orders', { method: 'POST', headers: { authorization: `Bearer ${key}` } });
  assert.equal(res.status, 403);
  assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="pinpoint", error="insufficient_scope", scope="orders:write"');
  assert.equal((await problemOf(res)).code, 'authz.scope_missing');
});

test('a key with no scopes passes no route that requires something', async () => {
  const key = await w.key('acme-writer', []);
  const res = await call(w, 'GET', '/orders', { key });
  assert.equal(res.status, 403);
  const body = await problemOf(res);
  assert.equal(body.code, 'authz.scope_missing');
  assert.match(String(body.hint), /your key has no scopes/);
});

test('wildcards: orders:* covers orders:items:write, * covers everything; a prefix is not a grant of its own', async () => {
  const adminKey = await w.key('acme-admin', ['orders:*']);
  assert.equal((await call(w, 'POST', '/orders/items', { key: adminKey })).status, 200, 'role orders:* and scope orders:* cover orders:items:write');
  const auditorKey = await w.key('acme-auditor', ['*']);
  assert.equal((await call(w, 'POST', '/orders', { key: auditorKey })).status, 200);
  const writerKey = await w.key('acme-writer', ['orders:items:write']);
  const res = await call(w, 'POST', '/orders/items', { key: writerKey });
  assert.equal(res.status, 403, 'writer grants orders:write, which does not cover orders:items:write');
  assert.equal((await problemOf(res)).code, 'authz.permission_missing');
  const narrowKey = await w.key('acme-admin', ['orders:items']);
  const res2 = await call(w, 'POST', '/orders/items', { key: narrowKey });
  assert.equal((await problemOf(res2)).code, 'authz.scope_missing', 'scope orders:items is not orders:items:*');
});

test('a consumer without roles: permission_missing says it holds no role', async () => {
  const key = await w.key('acme-nobody', ['orders:read']);
  const res = await call(w, 'GET', '/orders', { key });
  assert.equal((await problemOf(res)).code, 'authz.permission_missing');
  const d = (await w.logged(res)).decision;
  assert.match(d.detail!, /acme-nobody holds no role; roles that grant it: viewer, writer, admin, auditor/);
});

test('a route that requires a role: authz.role_missing for a writer, passes for an admin', async () => {
  const writer = await w.key('acme-writer', ['orders:write']);
  const res = await call(w, 'POST', '/refunds', { key: writer });
  assert.equal(res.status, 403);
  const body = await problemOf(res);
  assert.equal(body.code, 'authz.role_missing');
  assert.deepEqual(body.required_roles, ['admin']);
  const d = (await w.logged(res)).decision;
  assert.match(d.detail!, /requires one of the roles admin; consumer acme-writer holds writer/);
  assert.ok(d.fixes.some((f) => f.who === 'tenant_admin' && /consumers\.acme-writer\.roles/.test(f.action)));
  const admin = await w.key('acme-admin', ['orders:write']);
  assert.equal((await call(w, 'POST', '/refunds', { key: admin })).status, 200);
});

test('a key of tenant A cannot use a route of tenant B: authz.tenant_not_allowed, the route does not reach the upstream', async () => {
  const globex = await w.key('globex-writer', ['orders:read']);
  const seen = w.upstream.seen.length;
  const res = await call(w, 'GET', '/reports', { key: globex });
  assert.equal(res.status, 403);
  const body = await problemOf(res);
  assert.equal(body.code, 'authz.tenant_not_allowed');
  assert.equal(body.hint, 'This API is not available to your organisation.');
  assert.ok(!JSON.stringify(body).includes('acme'), 'the caller is not told which tenant the route serves');
  assert.equal(w.upstream.seen.length, seen);
  const d = (await w.logged(res)).decision;
  assert.match(d.detail!, /serves the tenants acme; consumer globex-writer is of tenant globex/);
  const acme = await w.key('acme-viewer', ['orders:read']);
  assert.equal((await call(w, 'GET', '/reports', { key: acme })).status, 200);
});

test('a tenant limited to some routes reaches only those (tenants.<name>.routes)', async () => {
  const key = await w.key('partner-viewer', ['orders:read', 'catalog:read']);
  assert.equal((await call(w, 'GET', '/catalog', { key })).status, 200);
  const res = await call(w, 'GET', '/orders', { key });
  assert.equal(res.status, 403);
  assert.equal((await problemOf(res)).code, 'authz.tenant_not_allowed');
  const d = (await w.logged(res)).decision;
  assert.equal(d.rule?.id, 'tenants.partner.routes');
  assert.ok(d.fixes.some((f) => /Add orders to tenants\.partner\.routes/.test(f.action)));
});

test('a tenant\'s own roles replace the top-level role of the same name for its consumers only', async () => {
  const tailored = await w.key('tailored-viewer', ['orders:write']);
  assert.equal((await call(w, 'POST', '/orders', { key: tailored })).status, 200, 'tailored\'s viewer grants orders:write');
  const acme = await w.key('acme-viewer', ['orders:write']);
  assert.equal((await problemOf(await call(w, 'POST', '/orders', { key: acme }))).code, 'authz.permission_missing');
});

test('authz is not run when authn refused: the caller gets the 401 and the trace shows authz skipped', async () => {
  const res = await call(w, 'POST', '/orders', {});
  assert.equal(res.status, 401);
  const d = (await w.logged(res)).decision;
  assert.equal(d.code, 'authn.credential_missing');
  assert.equal(d.trace.find((t) => t.layer === 'authz')?.verdict, 'skipped');
});

test('an allowed request is traced as a pass of authz in the call log', async () => {
  const key = await w.key('acme-writer', ['orders:write']);
  const res = await call(w, 'POST', '/orders', { key });
  assert.equal(res.status, 200);
  const logged = await w.logged(res);
  assert.equal(logged.outcome, 'allow');
  assert.equal(logged.decision.trace.find((t) => t.layer === 'authz')?.verdict, 'pass');
});
