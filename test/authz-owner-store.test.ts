// Ownership from the gateway's own records, end to end: a create route records who created a
// resource (from the id in the 2xx answer's JSON body or its Location header) once the answer
// is relayed; the resource's routes check the record. Real gateway, real upstream, real store.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { renderCall } from '../src/calllog/render.ts';
import { ConfigError, loadConfigText } from '../src/config/load.ts';
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
  api: { upstreams: [{ url: "${upstream}" }] }
routes:
  - id: orders-create
    service: api
    paths: [/orders]
    methods: [POST]
    authn: [apiKey]
    authz: { require: [orders:write], owner: { record: { resource: orders, id: body:/order/id } } }
  - id: order
    service: api
    paths: [/orders/:id]
    methods: [GET, PUT, DELETE]
    authn: [apiKey]
    authz: { require: [orders:read], owner: { store: { resource: orders, param: id } } }
  - id: order-items
    service: api
    paths: [/orders/:id/items/:item]
    methods: [GET, PUT]
    authn: [apiKey]
    authz: { require: [orders:read], owner: { store: { resource: orders, param: id } } }
  - id: invoices-create
    service: api
    paths: [/invoices]
    methods: [POST]
    authn: [apiKey]
    authz: { require: [orders:write], owner: { record: { resource: invoices, id: location } } }
  - id: invoice
    service: api
    paths: [/invoices/:id]
    methods: [GET]
    authn: [apiKey]
    authz: { require: [orders:read], owner: { store: { resource: invoices, param: id }, is: tenant } }
  - id: carts-create
    service: api
    paths: [/carts]
    methods: [POST]
    authn: [apiKey]
    authz: { require: [orders:write], owner: { record: { resource: carts, id: body:/order/id } } }
  - id: cart
    service: api
    paths: [/carts/:id]
    methods: [GET, DELETE]
    authn: [apiKey]
    authz: { require: [orders:read], owner: { store: { resource: carts, param: id, release: [DELETE] } } }
  - id: broken-create
    service: api
    paths: [/broken]
    methods: [POST]
    authn: [apiKey]
    authz: { require: [orders:write], owner: { record: { resource: orders, id: body:/order/id } } }
`;

let next = 0;
/** Creates answer 201 with the new id (the one asked for in {"want": ...}, else a fresh one); the rest is echoed. */
function upstream(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse, body: string): void {
  const want = body.startsWith('{') ? (JSON.parse(body) as { want?: string }).want : undefined;
  if (req.method === 'POST' && (req.url === '/orders' || req.url === '/carts')) {
    return void res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ order: { id: want ?? `o${++next}`, item: 'book' } }));
  }
  if (req.method === 'POST' && req.url === '/invoices') {
    return void res.writeHead(201, { location: `http://upstream.internal/v1/invoices/${encodeURIComponent(want ?? `inv-${++next}`)}/` }).end();
  }
  if (req.method === 'POST' && req.url === '/broken') return void res.writeHead(201, { 'content-type': 'text/plain' }).end('created, somewhere');
  // A cart the upstream will not delete (still in checkout).
  if (req.method === 'DELETE' && req.url?.startsWith('/carts/locked')) return void res.writeHead(409, { 'content-type': 'application/json' }).end('{"error":"in checkout"}');
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ method: req.method, url: req.url }));
}

let w: AuthzWorld;
const keys: Record<string, string> = {};
before(async () => {
  w = await startAuthzWorld(YAML, upstream);
  for (const c of ['alice', 'bob', 'sam', 'carol']) keys[c] = await w.key(c, ['orders:read', 'orders:write']);
});
after(() => w.close());

async function create(who: string, want?: string): Promise<{ id: string; res: Response }> {
  const res = await call(w, 'POST', '/orders', { key: keys[who], body: want ? { want } : { item: 'book' } });
  assert.equal(res.status, 201);
  const body = (await res.json()) as { order: { id: string } };
  return { id: body.order.id, res };
}

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

const decisionOf = async (id: string) => (await w.logged(new Response(null, { headers: { 'x-request-id': id } }))).decision;

test('a writer creates an order: the gateway records it as hers; she can read, change and delete it', async () => {
  const { id, res } = await create('alice');
  const record = await w.owners.getOwner('orders', id);
  assert.equal(record?.consumer, 'alice');
  assert.equal(record?.tenant, 'acme');
  assert.equal(record?.route, 'orders-create');
  assert.equal(record?.requestId, res.headers.get('x-request-id'));
  const logged = await w.logged(res);
  const d = logged.decision;
  assert.deepEqual(d.ownerRecord, { resource: 'orders', id, outcome: 'created', detail: `orders "${id}" recorded as created by alice of tenant acme` });
  assert.match(renderCall(logged), new RegExp(`owner record +created: orders "${id}" recorded as created by alice of tenant acme`), 'pinpoint why shows it');
  for (const method of ['GET', 'PUT', 'DELETE']) assert.equal((await call(w, method, `/orders/${id}`, { key: keys.alice })).status, 200, method);
  assert.equal((await call(w, 'GET', `/orders/${id}/items/3`, { key: keys.alice })).status, 200);
});

test('another consumer of the same tenant gets authz.not_owner, nothing forwarded; the operator sees whose it is', async () => {
  const { id } = await create('alice');
  const seen = w.upstream.seen.length;
  for (const method of ['GET', 'PUT', 'DELETE']) {
    const r = await raw(`/orders/${id}`, keys.bob, method);
    assert.equal(r.status, 403, method);
    assert.equal(r.body.code, 'authz.not_owner');
    assert.equal(r.body.hint, 'This resource is not available to your account.');
  }
  const r = await raw(`/orders/${id}`, keys.bob, 'PUT');
  assert.equal(w.upstream.seen.length, seen);
  const d = await decisionOf(r.id);
  assert.equal(d.rule?.id, 'route:order:authz.owner');
  assert.deepEqual(d.evidence, [{ where: `store:orders/"${id}"`, expected: 'consumer bob', observed: '"alice" of tenant acme' }]);
  assert.ok(d.fixes.some((f) => f.who === 'tenant_admin' && /roles support \(actFor: tenant\)/.test(f.action)), JSON.stringify(d.fixes));
});

test('a consumer of another tenant cannot learn whether a resource exists: someone\'s order and no order answer alike', async () => {
  const { id } = await create('alice');
  const theirs = await raw(`/orders/${id}`, keys.carol);
  const none = await raw('/orders/o-never-created', keys.carol);
  assert.equal(theirs.status, 403);
  assert.equal(theirs.body.code, 'authz.not_owner');
  const strip = (b: Record<string, unknown>) => ({ ...b, request_id: undefined, instance: undefined });
  assert.deepEqual(strip(theirs.body), strip(none.body));
  assert.match((await decisionOf(none.id)).detail!, /no ownership record/);
  assert.match((await decisionOf(theirs.id)).detail!, /belongs to "alice" of tenant acme .*nor to a consumer of its tenant/);
  // A resource nobody recorded is refused for every caller, the one who might own it upstream too.
  assert.equal((await raw('/orders/o-never-created', keys.alice)).body.code, 'authz.not_owner');
});

test('a role with actFor: tenant acts on the tenant\'s resources, never on another tenant\'s', async () => {
  const { id } = await create('alice');
  assert.equal((await raw(`/orders/${id}`, keys.sam, 'PUT')).status, 200);
  const theirs = await create('carol');
  assert.equal((await raw(`/orders/${theirs.id}`, keys.sam)).body.code, 'authz.not_owner');
  assert.equal((await raw(`/orders/${theirs.id}`, keys.carol)).status, 200);
});

test('path tricks cannot reach another\'s order: trailing slash, case, encoded slash or letters, double encoding, empty segment, a query parameter of the same name', async () => {
  await create('alice', 'ord-7');
  await create('bob', 'ord-8');
  const cases: Array<[string, string, number, string | undefined]> = [
    ['/orders/ord-7', 'alice', 200, undefined],
    ['/orders/ord-7/', 'alice', 200, undefined],
    ['/orders/ord-8/', 'alice', 403, 'authz.not_owner'],
    ['/orders/ORD-8', 'alice', 403, 'authz.not_owner'],
    ['/orders/ord-7?id=ord-8', 'bob', 403, 'authz.not_owner'],
    ['/orders/ord-8?id=ord-7', 'alice', 403, 'authz.not_owner'],
    ['/orders/ord-7%2Ford-8', 'alice', 403, 'authz.owner_unclear'],
    ['/orders/ord-7%2F..%2Ford-8', 'alice', 400, 'protocol.url_invalid'],
    ['/orders/ord-8%2f', 'alice', 403, 'authz.owner_unclear'],
    ['/orders/%6Frd-8', 'alice', 403, 'authz.owner_unclear'],
    ['/orders/ord%2D8', 'alice', 403, 'authz.owner_unclear'],
    ['/orders/ord-8%252F', 'alice', 403, 'authz.owner_unclear'],
    ['/orders/ord-8%5C', 'alice', 403, 'authz.owner_unclear'],
    ['/orders//ord-8', 'alice', 404, 'route.not_found'],
    ['/orders/ord-8/items/1', 'alice', 403, 'authz.not_owner'],
    ['/orders/ord-7/items/ord-8', 'bob', 403, 'authz.not_owner'],
    ['/orders/ord-7/../ord-8', 'alice', 400, undefined],
  ];
  const seen = w.upstream.seen.length;
  let allowed = 0;
  for (const [path, who, status, code] of cases) {
    const r = await raw(path, keys[who]);
    assert.equal(r.status, status, `${who} ${path}: ${JSON.stringify(r.body)}`);
    if (code) assert.equal(r.body.code, code, path);
    if (status === 200) allowed++;
  }
  assert.equal(w.upstream.seen.length, seen + allowed, 'only alice\'s own order was forwarded');
});

test('an id from the Location header (its last segment, decoded once) and an owner compared by tenant', async () => {
  const res = await call(w, 'POST', '/invoices', { key: keys.alice, body: { want: 'inv 9' } });
  assert.equal(res.status, 201);
  assert.equal((await w.logged(res)).decision.ownerRecord?.outcome, 'created');
  assert.equal((await w.owners.getOwner('invoices', 'inv 9'))?.consumer, 'alice');
  assert.equal((await call(w, 'GET', '/invoices/inv%209', { key: keys.bob })).status, 200, 'is: tenant: any consumer of acme');
  const other = await raw('/invoices/inv%209', keys.carol);
  const none = await raw('/invoices/nothing', keys.carol);
  assert.equal(other.body.code, 'authz.other_tenant');
  const strip = (b: Record<string, unknown>) => ({ ...b, request_id: undefined, instance: undefined });
  assert.deepEqual(strip(other.body), strip(none.body));
});

test('a create whose answer gives no usable id: the client gets the answer untouched; the failure is reported and logged', async () => {
  const res = await call(w, 'POST', '/broken', { key: keys.alice, body: { item: 'x' } });
  assert.equal(res.status, 201);
  assert.equal(await res.text(), 'created, somewhere');
  const d = (await w.logged(res)).decision;
  assert.equal(d.ownerRecord?.outcome, 'failed');
  assert.match(d.ownerRecord!.detail, /the upstream answered 201 but the answer body is not JSON \(owner.record reads body:\/order\/id\): nothing recorded/);
  assert.ok(w.reports.some((m) => m.includes(d.requestId) && /owner record failed/.test(m)), JSON.stringify(w.reports));
});

test('an upstream that answers a create with an existing id never hands the resource to the new caller', async () => {
  const { id } = await create('alice');
  const { res } = await create('bob', id);
  const d = (await w.logged(res)).decision;
  assert.equal(d.ownerRecord?.outcome, 'conflict');
  assert.match(d.ownerRecord!.detail, /is recorded as alice's \(tenant acme\), not bob of tenant acme's; kept/);
  assert.ok(w.reports.some((m) => m.includes(d.requestId)));
  assert.equal((await w.owners.getOwner('orders', id))?.consumer, 'alice');
  assert.equal((await raw(`/orders/${id}`, keys.bob)).body.code, 'authz.not_owner');
  const again = await create('alice', id);
  assert.equal((await w.logged(again.res)).decision.ownerRecord?.outcome, 'unchanged');
});

test('each create reaches the upstream once (a POST is never retried)', async () => {
  const before = w.upstream.seen.filter((s) => s.method === 'POST').length;
  await create('alice');
  await create('bob');
  assert.equal(w.upstream.seen.filter((s) => s.method === 'POST').length, before + 2);
});

test('answers are cached; changes through the gateway\'s records apply at once', async () => {
  const { id } = await create('alice');
  assert.equal((await raw(`/orders/${id}`, keys.alice)).status, 200);
  const reads = w.owners.reads;
  assert.equal((await raw(`/orders/${id}`, keys.alice)).status, 200);
  assert.equal((await raw(`/orders/${id}`, keys.bob)).status, 403);
  assert.equal(w.owners.reads, reads, 'answered from memory');
  await w.owners.setOwner({ resource: 'orders', id, consumer: 'bob', tenant: 'acme', actor: 'test' });
  assert.equal((await raw(`/orders/${id}`, keys.bob)).status, 200);
  assert.equal((await raw(`/orders/${id}`, keys.alice)).body.code, 'authz.not_owner');
  await w.owners.deleteOwner('orders', id, 'test');
  assert.equal((await raw(`/orders/${id}`, keys.bob)).body.code, 'authz.not_owner');
});

test('recording waits for nobody: with the store file locked by another process the answer still arrives, and the record lands once the lock is gone', async () => {
  const other = new Database(w.storeFile, { timeout: 0 });
  other.exec('BEGIN IMMEDIATE');
  let id: string;
  try {
    ({ id } = await create('alice'));
    assert.equal(await w.owners.getOwner('orders', id), undefined, 'not written while the lock is held');
  } finally {
    other.exec('COMMIT');
    other.close();
  }
  for (let i = 0; i < 200 && !(await w.owners.getOwner('orders', id)); i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal((await w.owners.getOwner('orders', id))?.consumer, 'alice');
});

test('owner.store.release: the owner\'s DELETE answered 2xx removes the record, so the id can be created again, by anyone', async () => {
  const made = await call(w, 'POST', '/carts', { key: keys.alice, body: { want: 'cart-1' } });
  assert.equal(made.status, 201);
  assert.equal((await w.owners.getOwner('carts', 'cart-1'))?.consumer, 'alice');
  // Someone else's DELETE is refused before the upstream: the record stays.
  assert.equal((await call(w, 'DELETE', '/carts/cart-1', { key: keys.bob })).status, 403);
  assert.equal((await w.owners.getOwner('carts', 'cart-1'))?.consumer, 'alice');
  const deleted = await call(w, 'DELETE', '/carts/cart-1', { key: keys.alice });
  assert.equal(deleted.status, 200);
  const logged = await w.logged(deleted);
  assert.deepEqual(logged.decision.ownerRecord, {
    resource: 'carts',
    id: 'cart-1',
    outcome: 'released',
    detail: 'carts "cart-1" deleted by its owner (DELETE answered 200): the record of alice was removed',
  });
  assert.match(renderCall(logged), /owner record +released: carts "cart-1" deleted by its owner/, 'pinpoint why shows it');
  assert.equal(await w.owners.getOwner('carts', 'cart-1'), undefined);
  const [audit] = await w.owners.listOwnerAudit({ resource: 'carts', limit: 1 });
  assert.deepEqual([audit.action, audit.resourceId, audit.consumer], ['delete_owner', 'cart-1', 'alice']);
  assert.equal(audit.actor, `gateway (request ${deleted.headers.get('x-request-id')}, route cart)`);
  // The cached answer went with it: alice's next read is refused as for any missing record, and
  // bob may now create a cart with that id and it is his.
  assert.equal((await call(w, 'GET', '/carts/cart-1', { key: keys.alice })).status, 403);
  assert.equal((await call(w, 'POST', '/carts', { key: keys.bob, body: { want: 'cart-1' } })).status, 201);
  assert.equal((await w.owners.getOwner('carts', 'cart-1'))?.consumer, 'bob');
  assert.equal((await call(w, 'GET', '/carts/cart-1', { key: keys.bob })).status, 200);
  assert.equal((await call(w, 'GET', '/carts/cart-1', { key: keys.alice })).status, 403);
});

test('owner.store.release keeps the record when the upstream did not delete (non-2xx), and a route without release never removes it', async () => {
  assert.equal((await call(w, 'POST', '/carts', { key: keys.alice, body: { want: 'locked-1' } })).status, 201);
  const refused = await call(w, 'DELETE', '/carts/locked-1', { key: keys.alice });
  assert.equal(refused.status, 409);
  assert.equal((await w.logged(refused)).decision.ownerRecord, undefined);
  assert.equal((await w.owners.getOwner('carts', 'locked-1'))?.consumer, 'alice');
  // The orders' DELETE has no release: the upstream's 200 leaves the record in place.
  const { id } = await create('alice');
  assert.equal((await call(w, 'DELETE', `/orders/${id}`, { key: keys.alice })).status, 200);
  assert.equal((await w.owners.getOwner('orders', id))?.consumer, 'alice');
});

test('ownership record mistakes are config errors at their line', () => {
  const head = `
tenants: { acme: {} }
consumers: { app: { tenant: acme } }
services: { api: { upstreams: [{ url: "http://127.0.0.1:9" }] } }
routes:
  - id: r
    service: api
    paths: [/orders/:id]
    methods: [GET]
    authn: [apiKey]
    authz:
`;
  const issue = (owner: string) => {
    try {
      loadConfigText(head + `      owner: ${owner}\n`, 't.yaml');
    } catch (err) {
      assert.ok(err instanceof ConfigError, String(err));
      assert.equal(err.issues.length, 1, JSON.stringify(err.issues));
      return { path: err.issues[0].path.join('.'), message: err.issues[0].message, line: err.issues[0].line };
    }
    assert.fail('the config loaded');
  };
  let i = issue('{ store: { resource: orders, param: order } }');
  assert.deepEqual([i.path, i.line], ['routes.0.authz.owner.store.param', 12]);
  assert.match(i.message, /parameter order must be a whole segment/);
  i = issue('{ record: { resource: orders, id: location } }');
  assert.equal(i.path, 'routes.0.authz.owner.record.methods');
  assert.match(i.message, /owner.record names POST, which route r does not serve \(methods: GET\)/);
  i = issue('{ store: { resource: orders, param: id, release: [DELETE] } }');
  assert.equal(i.path, 'routes.0.authz.owner.store.release');
  assert.match(i.message, /owner.store.release names DELETE, which route r does not serve \(methods: GET\)/);
  i = issue('{ record: { resource: orders, id: "/id" } }');
  assert.equal(i.path, 'routes.0.authz.owner.record.id');
  assert.match(i.message, /id is body:<JSON pointer> .* or location/);
  i = issue('{ store: { resource: orders, param: id }, lookup: { service: api, path: "/o/{id}" } }');
  assert.match(i.message, /lookup\) or from the gateway's records \(store\), not both/);
  assert.ok(loadConfigText(head + '      owner: { store: { resource: orders, param: id } }\n', 't.yaml'));
  // With PostgreSQL the records are shared by every node (src/store/postgres-owners.ts).
  const pg = 'store: { backend: postgres, url: "postgres://pinpoint@127.0.0.1:5432/test" }\n';
  assert.ok(loadConfigText(pg + head + '      owner: { store: { resource: orders, param: id } }\n', 't.yaml'));
});
