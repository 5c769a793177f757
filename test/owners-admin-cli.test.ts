// Ownership records for operators: the admin API (/owners) and `pinpoint owners` (a real child
// process) on a gateway started as `pinpoint start` starts one, whose routes check the records.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../src/cli/run-cli.ts';
import { startPinpoint, type Running } from '../src/server/start.ts';
import { startUpstream, type Upstream } from './helpers/upstream.ts';

const TOKEN_ENV = 'PINPOINT_TEST_OWNERS_ADMIN_TOKEN';
const TOKEN = 'owners-admin-token-0123456789abcdef0123456789';

let dir: string;
let configPath: string;
let running: Running;
let upstream: Upstream;
let gw: string;
let admin: string;
const keys: Record<string, string> = {};

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pinpoint-owners-'));
  upstream = await startUpstream((req, res) => {
    if (req.method === 'POST') return void res.writeHead(201, { location: '/orders/o-created' }).end();
    res.end('ok');
  });
  configPath = join(dir, 'pinpoint.yaml');
  writeFileSync(
    configPath,
    `
admin: { tokenEnv: ${TOKEN_ENV} }
log: { file: data/calls.db, flushIntervalMs: 5 }
store: { file: data/store.db }
tenants: { acme: {}, globex: {} }
roles: { member: { permissions: [orders:rw] } }
consumers:
  alice: { tenant: acme, roles: [member] }
  bob: { tenant: acme, roles: [member] }
  carol: { tenant: globex, roles: [member] }
services:
  orders: { upstreams: [{ url: "${upstream.url}" }] }
routes:
  - id: create
    service: orders
    paths: [/orders]
    methods: [POST]
    authn: [apiKey]
    authz: { require: [orders:rw], owner: { record: { resource: orders, id: location } } }
  - id: order
    service: orders
    paths: [/orders/:id]
    methods: [GET]
    authn: [apiKey]
    authz: { require: [orders:rw], owner: { store: { resource: orders, param: id, cacheTtlS: 0, notFoundTtlS: 0 } } }
`,
  );
  process.env[TOKEN_ENV] = TOKEN;
  running = await startPinpoint({ configPath, port: 0, adminPort: 0, watch: false, report: () => {} });
  gw = `http://127.0.0.1:${running.gatewayAddress.port}`;
  admin = `http://127.0.0.1:${running.adminAddress!.port}`;
  for (const c of ['alice', 'bob', 'carol']) keys[c] = (await running.store.createKey({ consumer: c, scopes: ['orders:rw'], actor: 'test' })).key;
});

after(async () => {
  await running.close();
  await upstream.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = (path: string, who: string) => fetch(gw + path, { headers: { 'x-api-key': keys[who] } }).then(async (r) => (await r.arrayBuffer(), r.status));
const adminCall = (method: string, path: string, body?: unknown) =>
  fetch(admin + path, { method, headers: { authorization: `Bearer ${TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body === undefined ? undefined : JSON.stringify(body) });
const owners = (...args: string[]) => runCli(['owners', ...args, '-c', configPath]);

test('a gateway started from its config records creates in the store file and checks them', async () => {
  const res = await fetch(gw + '/orders', { method: 'POST', headers: { 'x-api-key': keys.alice } });
  assert.equal(res.status, 201);
  for (let i = 0; i < 100 && !(await running.owners.getOwner('orders', 'o-created')); i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal((await running.owners.getOwner('orders', 'o-created'))?.consumer, 'alice');
  assert.equal(await get('/orders/o-created', 'alice'), 200);
  assert.equal(await get('/orders/o-created', 'bob'), 403);
});

test('admin API: set, show, list, delete an owner, each applying to the gateway\'s next request; audited', async () => {
  assert.equal(await get('/orders/o-seed', 'bob'), 403, 'no record: refused');
  const set = await adminCall('PUT', '/owners/orders/o-seed', { consumer: 'bob' });
  assert.equal(set.status, 201);
  const record = (await set.json()) as Record<string, unknown>;
  assert.deepEqual([record.consumer, record.tenant, record.by], ['bob', 'acme', 'admin-api']);
  assert.equal(await get('/orders/o-seed', 'bob'), 200);
  const shown = (await (await adminCall('GET', '/owners/orders/o-seed')).json()) as Record<string, unknown>;
  assert.equal(shown.consumer, 'bob');
  const listed = (await (await adminCall('GET', '/owners?consumer=bob')).json()) as { count: number; owners: Array<{ id: string }> };
  assert.deepEqual(listed.owners.map((o) => o.id), ['o-seed']);
  const moved = await adminCall('PUT', '/owners/orders/o-seed', { consumer: 'alice' });
  assert.equal(moved.status, 200);
  assert.equal(((await moved.json()) as { previous: { consumer: string } }).previous.consumer, 'bob');
  assert.equal(await get('/orders/o-seed', 'bob'), 403);
  assert.equal((await adminCall('DELETE', '/owners/orders/o-seed')).status, 200);
  assert.equal(await get('/orders/o-seed', 'alice'), 403);
  const audit = (await (await adminCall('GET', '/owners/audit?resource=orders')).json()) as { entries: Array<{ action: string; actor: string; consumer: string }> };
  assert.deepEqual(audit.entries.slice(0, 3).map((e) => [e.action, e.actor, e.consumer]), [['delete_owner', 'admin-api', 'alice'], ['set_owner', 'admin-api', 'alice'], ['set_owner', 'admin-api', 'bob']]);
});

test('admin API refusals: no record, unknown consumer without tenant, a tenant that is not the consumer\'s, bad paths', async () => {
  const missing = await adminCall('GET', '/owners/orders/nope');
  assert.equal(missing.status, 404);
  assert.equal(((await missing.json()) as { code: string }).code, 'admin.owner_not_found');
  assert.equal((await adminCall('DELETE', '/owners/orders/nope')).status, 404);
  const unknown = await adminCall('PUT', '/owners/orders/o1', { consumer: 'mallory' });
  assert.equal(unknown.status, 400);
  assert.match(((await unknown.json()) as { detail: string }).detail, /not declared in the config: give its tenant too/);
  const wrong = await adminCall('PUT', '/owners/orders/o1', { consumer: 'carol', tenant: 'acme' });
  assert.match(((await wrong.json()) as { detail: string }).detail, /Consumer carol is of tenant globex, not acme/);
  assert.equal((await adminCall('PUT', '/owners/orders/o1', { consumer: 'mallory', tenant: 'acme' })).status, 201, 'a token consumer with its tenant');
  assert.equal((await adminCall('GET', '/owners/or%20ders/o1')).status, 404);
  assert.equal((await adminCall('POST', '/owners/orders/o1', { consumer: 'bob' })).status, 405);
});

test('pinpoint owners: set, show, list, delete and audit on the store file; the running gateway reads what the CLI wrote', async () => {
  const set = await owners('set', 'orders', 'o-cli', '--consumer', 'carol');
  assert.equal(set.code, 0, set.stderr);
  assert.match(set.stdout, /orders "o-cli" is now owned by carol \(tenant globex\)/);
  assert.equal(await get('/orders/o-cli', 'carol'), 200);
  assert.equal(await get('/orders/o-cli', 'alice'), 403);
  const show = await owners('show', 'orders', 'o-cli', '--json');
  assert.equal((JSON.parse(show.stdout) as { by: string }).by, `cli:${userInfo().username}`);
  const list = await owners('list', '--tenant', 'globex');
  assert.match(list.stdout, /^RESOURCE\s+ID\s+CONSUMER\s+TENANT\s+BY\s+UPDATED\norders\s+o-cli\s+carol\s+globex\s+cli:/);
  const del = await owners('delete', 'orders', 'o-cli');
  assert.equal(del.code, 0, del.stderr);
  const again = await owners('delete', 'orders', 'o-cli');
  assert.equal(again.code, 1);
  assert.match(again.stderr, /No ownership record for orders "o-cli"/);
  const audit = await owners('audit', '--resource', 'orders', '--json');
  const entries = (JSON.parse(audit.stdout) as { entries: Array<{ action: string; actor: string; resourceId: string }> }).entries;
  assert.deepEqual(entries.slice(0, 2).map((e) => [e.action, e.actor, e.resourceId]), [['delete_owner', `cli:${userInfo().username}`, 'o-cli'], ['set_owner', `cli:${userInfo().username}`, 'o-cli']]);
  const refused = await owners('set', 'orders', 'o-x', '--consumer', 'nobody');
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /not declared in the config/);
});

test('pinpoint owners import: every line checked first (a bad line writes nothing), then all set', async () => {
  const file = join(dir, 'owners.jsonl');
  writeFileSync(file, '{"resource":"orders","id":"m1","consumer":"alice"}\n{"resource":"orders","id":"m2","consumer":"ghost"}\nnot json\n');
  const bad = await owners('import', file);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /Nothing imported; fix these lines:\n  line 2: .*not declared.*\n  line 3: /);
  assert.equal(await running.owners.getOwner('orders', 'm1'), undefined);
  writeFileSync(file, '{"resource":"orders","id":"m1","consumer":"alice"}\n{"resource":"orders","id":2,"consumer":"ghost","tenant":"acme"}\n');
  const good = await owners('import', file);
  assert.equal(good.code, 0, good.stderr);
  assert.match(good.stdout, /imported 2 ownership records/);
  assert.equal(await get('/orders/m1', 'alice'), 200);
  assert.equal((await running.owners.getOwner('orders', '2'))?.tenant, 'acme');
});
