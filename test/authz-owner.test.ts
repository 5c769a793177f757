// Resource ownership (BOLA) end to end: the owner read from the path, the query, a JSON body or a
// lookup at a real upstream, and every path trick we know of refused or compared exactly.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, test } from 'node:test';
import { call, problemOf, startAuthzWorld, type AuthzWorld } from './helpers/authz-gateway.ts';

const YAML = (upstream: string) => `
tenants:
  acme: {}
  globex: {}
roles:
  member: { permissions: [orders:read, orders:write] }
  support: { permissions: [orders:read, orders:write], actFor: tenant }
consumers:
  alice: { tenant: acme, roles: [member] }
  bob: { tenant: acme, roles: [member] }
  sam: { tenant: acme, roles: [support] }
  carol: { tenant: globex, roles: [member] }
services:
  orders: { upstreams: [{ url: "${upstream}" }] }
  owners: { upstreams: [{ url: "http://127.0.0.1:1" }, { url: "${upstream}" }] }
routes:
  - id: user-orders
    service: orders
    paths: [/users/:user/orders, /users/:user/orders/:order]
    methods: [GET, POST]
    authn: [apiKey]
    authz: { require: { GET: [orders:read], POST: [orders:write] }, owner: { param: user } }
  - id: tenant-orders
    service: orders
    paths: [/tenants/:tenant/orders]
    methods: [GET]
    authn: [apiKey]
    authz: { require: [orders:read], owner: { param: tenant, is: tenant } }
  - id: transfers
    service: orders
    paths: [/transfers]
    methods: [POST]
    authn: [apiKey]
    authz: { require: [orders:write], owner: { body: /from/account } }
  - id: exports
    service: orders
    paths: [/exports]
    methods: [GET]
    authn: [apiKey]
    authz: { require: [orders:read], owner: { query: owner } }
  - id: order
    service: orders
    paths: [/orders/:id]
    methods: [GET, PUT]
    authn: [apiKey]
    authz:
      require: [orders:read]
      owner: { lookup: { service: owners, path: "/owners/{id}", field: /owner, timeoutMs: 300 } }
  - id: shipment
    service: orders
    paths: [/shipments/:id]
    methods: [GET]
    authn: [apiKey]
    authz:
      require: [orders:read]
      owner: { lookup: { service: owners, path: "/shipment-tenants/{id}", field: /tenant }, is: tenant }
`;

/** The upstream answers ownership lookups itself; everything else is echoed. */
function owners(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse, body: string): void {
  const url = req.url ?? '';
  const json = (status: number, value: unknown): void => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
  if (url === '/owners/o1' || url === '/owners/a%20b') return json(200, { owner: 'alice' });
  if (url === '/owners/o2') return json(200, { owner: 'carol' });
  if (url === '/owners/missing') return json(404, { error: 'no such order' });
  if (url === '/owners/broken') return json(500, { error: 'boom' });
  if (url === '/owners/slow') return void setTimeout(() => json(200, { owner: 'alice' }), 1500);
  if (url === '/shipment-tenants/s1') return json(200, { tenant: 'acme' });
  json(200, { method: req.method, url, body });
}

let w: AuthzWorld;
const keys: Record<string, string> = {};
before(async () => {
  w = await startAuthzWorld(YAML, owners);
  for (const c of ['alice', 'bob', 'sam', 'carol']) keys[c] = await w.key(c, ['orders:read', 'orders:write']);
});
after(() => w.close());

/** A request with the exact target given, not normalised by a URL parser. */
function raw(path: string, key: string, method = 'GET'): Promise<{ status: number; body: Record<string, unknown>; id: string }> {
  const { port } = new URL(w.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: { 'x-api-key': key } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode!, body: text.startsWith('{') ? JSON.parse(text) : {}, id: String(res.headers['x-request-id']) });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

async function decisionOf(id: string) {
  return (await w.logged(new Response(null, { headers: { 'x-request-id': id } }))).decision;
}

test('the owner in the path: alice reaches her orders, not bob\'s (authz.not_owner, nothing forwarded)', async () => {
  assert.equal((await raw('/users/alice/orders', keys.alice)).status, 200);
  assert.equal((await raw('/users/alice/orders/7', keys.alice, 'POST')).status, 200);
  const seen = w.upstream.seen.length;
  const r = await raw('/users/bob/orders', keys.alice, 'POST');
  assert.equal(r.status, 403);
  assert.equal(r.body.code, 'authz.not_owner');
  assert.equal(r.body.hint, 'This resource is not available to your account.');
  assert.equal(w.upstream.seen.length, seen);
  const d = await decisionOf(r.id);
  assert.match(d.detail!, /belongs to "bob" \(param:user\), not to the caller alice/);
  assert.deepEqual(d.evidence, [{ where: 'param:user', expected: 'consumer alice', observed: '"bob"' }]);
  assert.ok(d.fixes.some((f) => f.who === 'tenant_admin' && /roles support \(actFor: tenant\)/.test(f.action)), JSON.stringify(d.fixes));
});

test('path tricks: trailing slash, case, encoded slash, encoded letters, double encoding, backslash, empty segment', async () => {
  const cases: Array<[string, number, string | undefined]> = [
    ['/users/alice/orders/', 200, undefined],
    ['/users/bob/orders/', 403, 'authz.not_owner'],
    ['/users/bob/orders/7/', 403, 'authz.not_owner'],
    ['/users/Alice/orders', 403, 'authz.not_owner'],
    ['/users/ALICE/orders', 403, 'authz.not_owner'],
    ['/USERS/bob/orders', 404, 'route.not_found'],
    ['/users/alice%2Fbob/orders', 403, 'authz.owner_unclear'],
    ['/users/bob%2falice/orders', 403, 'authz.owner_unclear'],
    ['/users/bob%2F/orders', 403, 'authz.owner_unclear'],
    ['/users/%61lice/orders', 403, 'authz.owner_unclear'],
    ['/users/al%69ce/orders', 403, 'authz.owner_unclear'],
    ['/users/alice%252F/orders', 403, 'authz.owner_unclear'],
    ['/users/%2561lice/orders', 403, 'authz.owner_unclear'],
    ['/users/alice%5Cbob/orders', 403, 'authz.owner_unclear'],
    ['/users//orders', 403, 'authz.owner_unclear'],
    ['//users/bob/orders', 404, 'route.not_found'],
    ['/users/bob//orders', 404, 'route.not_found'],
    ['/users/alice/..%2Fbob/orders', 400, undefined],
  ];
  const seen = w.upstream.seen.length;
  let allowed = 0;
  for (const [path, status, code] of cases) {
    const r = await raw(path, keys.alice);
    assert.equal(r.status, status, `${path}: ${JSON.stringify(r.body)}`);
    if (code) assert.equal(r.body.code, code, path);
    if (status === 200) allowed++;
  }
  assert.equal(w.upstream.seen.length, seen + allowed, 'only the plain path of alice\'s own orders was forwarded');
});

test('an ambiguous owner says why to the caller and to the operator', async () => {
  const r = await raw('/users/alice%2Fbob/orders', keys.alice);
  assert.match(String(r.body.hint), /encoded slash/);
  const d = await decisionOf(r.id);
  assert.equal(d.code, 'authz.owner_unclear');
  assert.deepEqual(d.evidence, [{ where: 'param:user', expected: 'one plain value', observed: '"alice%2Fbob"' }]);
});

test('a query parameter on an owner-by-path route changes nothing: the path decides', async () => {
  assert.equal((await raw('/users/bob/orders?user=alice', keys.alice)).body.code, 'authz.not_owner');
  assert.equal((await raw('/users/alice/orders?user=bob', keys.alice)).status, 200);
});

test('the owner in the query: once is compared, twice is refused as ambiguous', async () => {
  assert.equal((await raw('/exports?owner=alice', keys.alice)).status, 200);
  assert.equal((await raw('/exports?owner=bob', keys.alice)).body.code, 'authz.not_owner');
  assert.equal((await raw('/exports?owner=alice&owner=bob', keys.alice)).body.code, 'authz.owner_unclear');
  assert.equal((await raw('/exports?owner=bob&owner=alice', keys.alice)).body.code, 'authz.owner_unclear');
  assert.equal((await raw('/exports', keys.alice)).body.code, 'authz.owner_unclear');
});

test('the owner in a JSON body field: compared; a duplicate key on its way is refused; a body that is not JSON too', async () => {
  const post = (body: string, type = 'application/json') => call(w, 'POST', '/transfers', { key: keys.alice, body, headers: { 'content-type': type } });
  const ok = await post('{"from":{"account":"alice"},"amount":5}');
  assert.equal(ok.status, 200);
  const echoed = (await ok.json()) as { body: string };
  assert.equal(echoed.body, '{"from":{"account":"alice"},"amount":5}', 'the upstream got the bytes that were checked');
  assert.equal((await problemOf(await post('{"from":{"account":"bob"}}'))).code, 'authz.not_owner');
  const dup = await post('{"from":{"account":"bob","account":"alice"}}');
  assert.equal((await problemOf(dup)).code, 'authz.owner_unclear');
  assert.match((await w.logged(dup)).decision.detail!, /appears twice/);
  assert.equal((await problemOf(await post('{"from":{"account":"alice"},"from":{"account":"bob"}}'))).code, 'authz.owner_unclear');
  assert.equal((await post('{"from":{"account":"alice"},"note":{"x":1,"x":2}}')).status, 200, 'a duplicate elsewhere does not matter');
  assert.equal((await problemOf(await post('from=alice', 'application/x-www-form-urlencoded'))).code, 'authz.owner_unclear');
  assert.equal((await problemOf(await post('{"from":{"account":7}}'))).code, 'authz.not_owner', 'a number is compared as its text');
});

test('a role with actFor: tenant acts for the consumers of its tenant, never for another tenant\'s', async () => {
  assert.equal((await raw('/users/alice/orders', keys.sam, 'POST')).status, 200);
  const r = await raw('/users/carol/orders', keys.sam);
  assert.equal(r.body.code, 'authz.not_owner');
  const d = await decisionOf(r.id);
  assert.match(d.detail!, /nor to a consumer of its tenant/);
  assert.ok(!d.fixes.some((f) => f.who === 'tenant_admin'), 'no role can make a consumer act across tenants');
});

test('a key of tenant A cannot touch tenant B\'s resources (authz.other_tenant); the caller learns nothing more', async () => {
  assert.equal((await raw('/tenants/acme/orders', keys.alice)).status, 200);
  const other = await raw('/tenants/acme/orders', keys.carol);
  assert.equal(other.status, 403);
  assert.equal(other.body.code, 'authz.other_tenant');
  const nowhere = await raw('/tenants/no-such-tenant/orders', keys.carol);
  assert.equal(nowhere.body.code, 'authz.other_tenant');
  const strip = (b: Record<string, unknown>) => ({ ...b, request_id: undefined, instance: undefined, detail: undefined });
  assert.deepEqual(strip(other.body), strip(nowhere.body), 'an existing tenant and a made-up one get the same answer');
  assert.equal(other.body.hint, 'This resource is not available to your account.');
  const d = await decisionOf(other.id);
  assert.match(d.detail!, /belongs to tenant "acme" \(param:tenant\); the caller carol is of tenant globex/);
  assert.equal((await raw('/users/alice/orders', keys.carol)).body.code, 'authz.not_owner');
});

test('ownership by lookup: the upstream names the owner; answers are cached', async () => {
  const before = w.lookups.calls;
  assert.equal((await raw('/orders/o1', keys.alice)).status, 200);
  const afterFirst = w.lookups.calls;
  assert.ok(afterFirst > before, 'the first request asked the owner service');
  assert.equal((await raw('/orders/o1', keys.alice)).status, 200);
  const r = await raw('/orders/o1', keys.bob);
  assert.equal(r.body.code, 'authz.not_owner');
  assert.equal(w.lookups.calls, afterFirst, 'the two later requests were answered from the cache');
  const d = await decisionOf(r.id);
  assert.equal(d.evidence[0].where, 'lookup:owners/owners/o1');
  assert.equal((await raw('/orders/a%20b', keys.alice)).status, 200, 'the parameter is encoded into the lookup path');
  assert.equal((await raw('/orders/o%2F1', keys.alice)).body.code, 'authz.owner_unclear', 'an encoded slash never reaches the lookup');
});

test('a lookup that finds nothing answers exactly like someone else\'s resource', async () => {
  const theirs = await raw('/orders/o2', keys.alice);
  const missing = await raw('/orders/missing', keys.alice);
  assert.equal(theirs.status, 403);
  const strip = (b: Record<string, unknown>) => ({ ...b, request_id: undefined, instance: undefined });
  assert.deepEqual(strip(missing.body), strip(theirs.body));
  const d = await decisionOf(missing.id);
  assert.equal(d.code, 'authz.not_owner');
  assert.match(d.detail!, /no such resource \(404/);
});

test('ownership by lookup compared to the tenant', async () => {
  assert.equal((await raw('/shipments/s1', keys.alice)).status, 200);
  assert.equal((await raw('/shipments/s1', keys.carol)).body.code, 'authz.other_tenant');
});

test('a failing or slow lookup refuses with 503 authz.owner_unavailable (fail closed), never forwards', async () => {
  const seen = w.upstream.seen.filter((s) => s.url.startsWith('/orders/')).length;
  for (const id of ['broken', 'slow']) {
    const res = await call(w, 'GET', `/orders/${id}`, { key: keys.alice });
    assert.equal(res.status, 503, id);
    assert.equal(res.headers.get('retry-after'), '5');
    const body = await problemOf(res);
    assert.equal(body.code, 'authz.owner_unavailable');
    assert.equal(body.retryable, true);
    const d = (await w.logged(res)).decision;
    assert.match(d.detail!, id === 'broken' ? /answered 500/ : /no answer within 300 ms/);
  }
  assert.equal(w.upstream.seen.filter((s) => s.url.startsWith('/orders/')).length, seen);
});

test('no lookup is made for a request that is already refused', async () => {
  const before = w.lookups.calls;
  const res = await call(w, 'GET', '/orders/o-fresh', {});
  assert.equal(res.status, 401);
  const readOnly = await w.key('alice', []);
  assert.equal((await problemOf(await call(w, 'GET', '/orders/o-fresh', { key: readOnly }))).code, 'authz.scope_missing');
  assert.equal(w.lookups.calls, before);
  const d = (await w.logged(res)).decision;
  assert.equal(d.trace.find((t) => t.layer === 'authz')?.verdict, 'skipped');
});
