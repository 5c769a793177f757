// Several gateway nodes sharing one credential store in the real PostgreSQL on 127.0.0.1:5432
// (database test), in a schema of this run, dropped at the end: two gateways started the way
// `pinpoint start` starts one, real HTTP on loopback, the admin API of one and the CLI changing
// what the other serves. Node B reaches PostgreSQL through a relay the test can cut.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../src/cli/run-cli.ts';
import { startPinpoint, type Running } from '../src/server/start.ts';
import { StoreOpenError } from '../src/store/types.ts';
import { eventually } from './helpers/pinpoint-dir.ts';
import { pgSchemas, terminateBackends } from './helpers/postgres.ts';
import { startUpstream, type Upstream } from './helpers/servers.ts';
import { startTcpRelay, type TcpRelay } from './helpers/tcp-relay.ts';

const TOKEN_ENV = 'PINPOINT_TEST_PGCLUSTER_ADMIN_TOKEN';
const TOKEN = 'pg-cluster-admin-token-0123456789abcdef0123';
// The local server trusts loopback and ignores it; it is set to show it never leaks into an answer or the log.
const PASSWORD_ENV = 'PINPOINT_TEST_PGCLUSTER_PASSWORD';
const PASSWORD = 'pg-password-never-shown-7f3a';
// A refresh far beyond every wait below: what reaches a node in time came by NOTIFY (or a reconnect's reload).
const REFRESH_MS = 600_000;
// A bound for "promptly" on a loaded 2-core machine, not a speed target.
const PROMPTLY_MS = 3000;

const schemas = pgSchemas();
const SCHEMA = schemas.fresh();
const APP_B = `pinpoint-b-${SCHEMA}`;

interface Node {
  dir: string;
  configPath: string;
  running: Running;
  url: string;
  adminUrl: string;
  reports: string[];
}

let upstream: Upstream;
let relay: TcpRelay;
let a: Node;
let b: Node;

function writeConfig(dir: string, pgUrl: string, extra = ''): string {
  const configPath = join(dir, 'pinpoint.yaml');
  writeFileSync(
    configPath,
    `
admin: { tokenEnv: ${TOKEN_ENV} }
log: { file: calls.db, flushIntervalMs: 5 }
store:
  backend: postgres
  url: "${pgUrl}"
  passwordEnv: ${PASSWORD_ENV}
  schema: ${SCHEMA}
  refreshMs: ${REFRESH_MS}
  connectTimeoutMs: 2000
${extra}
tenants: { acme: {} }
consumers:
  acme-app: { tenant: acme }
  alice: { tenant: acme }
  bob: { tenant: acme }
services: { orders: { upstreams: [{ url: "${upstream.url}" }] } }
routes:
  - { id: orders, service: orders, paths: [/orders], methods: [GET], authn: [apiKey] }
  - { id: basic, service: orders, paths: [/basic], methods: [GET], authn: [basic] }
  - { id: notes-create, service: orders, paths: [/notes], methods: [POST], authn: [basic], authz: { owner: { record: { resource: notes, id: body:/id } } } }
  - { id: note, service: orders, paths: [/notes/:id], methods: [GET], authn: [basic], authz: { owner: { store: { resource: notes, param: id, notFoundTtlS: 0 } } } }
`,
  );
  return configPath;
}

async function startNode(pgUrl: string): Promise<Node> {
  const dir = mkdtempSync(join(tmpdir(), 'pinpoint-pgcluster-'));
  const configPath = writeConfig(dir, pgUrl);
  const reports: string[] = [];
  const running = await startPinpoint({ configPath, port: 0, adminPort: 0, watch: false, report: (m) => reports.push(m) });
  return { dir, configPath, running, reports, url: `http://127.0.0.1:${running.gatewayAddress.port}`, adminUrl: `http://127.0.0.1:${running.adminAddress!.port}` };
}

before(async () => {
  process.env[TOKEN_ENV] = TOKEN;
  process.env[PASSWORD_ENV] = PASSWORD;
  let nextNote = 0;
  // A create answers 201 with the new id (the gateway records its creator as owner); the rest is echoed.
  upstream = await startUpstream((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.method === 'POST' && req.url === '/notes') return void res.writeHead(201).end(JSON.stringify({ id: `n${++nextNote}` }));
    res.end(JSON.stringify({ method: req.method, url: req.url }));
  });
  relay = await startTcpRelay(5432);
  a = await startNode(`postgres://postgres@127.0.0.1:5432/test?application_name=pinpoint-a-${SCHEMA}`);
  b = await startNode(`postgres://postgres@127.0.0.1:${relay.port}/test?application_name=${APP_B}`);
});

after(async () => {
  for (const n of [a, b]) {
    if (!n) continue;
    await n.running.close();
    rmSync(n.dir, { recursive: true, force: true });
  }
  await relay?.close();
  await upstream?.close();
  await schemas.cleanup();
});

const admin = (node: Node, method: string, path: string, body?: unknown) =>
  fetch(`${node.adminUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, any> }));

const withKey = (node: Node, key: string) => fetch(`${node.url}/orders`, { headers: { 'x-api-key': key } }).then(async (r) => (await r.arrayBuffer(), r.status));
const withPassword = (node: Node, user: string, password: string) =>
  fetch(`${node.url}/basic`, { headers: { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` } }).then(async (r) => (await r.arrayBuffer(), r.status));

async function createKey(node: Node): Promise<{ key: string; id: string }> {
  const created = await admin(node, 'POST', '/keys', { consumer: 'acme-app', scopes: ['orders:read'] });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return { key: created.body.key as string, id: created.body.id as string };
}

test('a key created through node A\'s admin API works on node B; revoked on A, B refuses it promptly', async () => {
  const { key, id } = await createKey(a);
  assert.equal(await withKey(a, key), 200, 'the node that created it knows it at once');
  await eventually(async () => (await withKey(b, key)) === 200, PROMPTLY_MS);
  const listed = await admin(b, 'GET', '/keys');
  assert.ok((listed.body.keys as Array<{ id: string }>).some((k) => k.id === id), 'B lists the key A created');

  const revoked = await admin(a, 'POST', `/keys/${id}/revoke`, { reason: 'leaked in a ticket' });
  assert.equal(revoked.status, 200);
  await eventually(async () => (await withKey(b, key)) === 401, PROMPTLY_MS);
  assert.equal(await withKey(a, key), 401);
  const audit = await admin(b, 'GET', `/audit?key=${id}`);
  assert.deepEqual((audit.body.entries as Array<{ action: string; actor: string }>).map((e) => [e.action, e.actor]), [['revoke', 'admin-api'], ['create', 'admin-api']]);
});

test('a rotation on A: B accepts the new key at once and the old one only for the overlap', async () => {
  const { key, id } = await createKey(a);
  await eventually(async () => (await withKey(b, key)) === 200, PROMPTLY_MS);
  const rotated = await admin(a, 'POST', `/keys/${id}/rotate`, { overlapHours: 0 });
  assert.equal(rotated.status, 201);
  await eventually(async () => (await withKey(b, rotated.body.key as string)) === 200 && (await withKey(b, key)) === 401, PROMPTLY_MS);
});

test('a password set on A works on B; removed on A, B refuses it', async () => {
  assert.equal(await withPassword(b, 'alice', 'alice password one'), 401);
  const set = await admin(a, 'POST', '/consumers/alice/password', { password: 'alice password one' });
  assert.equal(set.status, 200, JSON.stringify(set.body));
  await eventually(async () => (await withPassword(b, 'alice', 'alice password one')) === 200, PROMPTLY_MS);
  assert.equal(await withPassword(b, 'alice', 'alice password two'), 401, 'a wrong password is still refused');
  const removed = await admin(a, 'DELETE', '/consumers/alice/password');
  assert.equal(removed.status, 200);
  await eventually(async () => (await withPassword(b, 'alice', 'alice password one')) === 401, PROMPTLY_MS);
});

test('the CLI on a postgres-backed config manages the keys every node serves', async () => {
  const cli = (...args: string[]) => runCli([...args, '-c', a.configPath]);
  const created = await cli('keys', 'create', '--consumer', 'acme-app', '--scopes', 'orders:read', '--name', 'from the cli');
  assert.equal(created.code, 0, created.stderr);
  const key = /^\s+(pk_[0-9A-Za-z]{48})$/m.exec(created.stdout)?.[1];
  assert.ok(key, created.stdout);
  await eventually(async () => (await withKey(a, key)) === 200 && (await withKey(b, key)) === 200, PROMPTLY_MS);
  const list = await cli('keys', 'list', '--json');
  assert.equal(list.code, 0, list.stderr);
  assert.ok((JSON.parse(list.stdout) as Array<{ name?: string }>).some((k) => k.name === 'from the cli'));
  const revoked = await cli('keys', 'revoke', key.slice(3, 13), '--reason', 'done');
  assert.equal(revoked.code, 0, revoked.stderr);
  await eventually(async () => (await withKey(a, key)) === 401 && (await withKey(b, key)) === 401, PROMPTLY_MS);
  const password = await runCli(['consumers', 'set-password', 'alice', '-c', b.configPath], { input: 'alice password cli\n' });
  assert.equal(password.code, 0, password.stderr);
  await eventually(async () => (await withPassword(a, 'alice', 'alice password cli')) === 200, PROMPTLY_MS);
});

test('ownership records are shared: a resource created through A belongs to its creator on B too', async () => {
  for (const [who, password] of [['alice', 'alice owner password'], ['bob', 'bob owner password']]) {
    assert.equal((await admin(a, 'POST', `/consumers/${who}/password`, { password })).status, 200);
  }
  const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });
  await eventually(async () => (await withPassword(b, 'bob', 'bob owner password')) === 200, PROMPTLY_MS);
  const created = await fetch(`${a.url}/notes`, { method: 'POST', headers: basic('alice', 'alice owner password') });
  assert.equal(created.status, 201);
  const { id } = (await created.json()) as { id: string };
  // The record is written once the answer is out: B reads it from the shared tables.
  await eventually(async () => (await fetch(`${b.url}/notes/${id}`, { headers: basic('alice', 'alice owner password') }).then(async (r) => (await r.arrayBuffer(), r.status))) === 200, PROMPTLY_MS);
  const other = await fetch(`${b.url}/notes/${id}`, { headers: basic('bob', 'bob owner password') });
  assert.equal(other.status, 403);
  assert.equal(((await other.json()) as { code: string }).code, 'authz.not_owner');
  const listed = await admin(b, 'GET', '/owners?resource=notes');
  assert.equal(listed.status, 200, JSON.stringify(listed.body));
  assert.ok(JSON.stringify(listed.body).includes(`"${id}"`), JSON.stringify(listed.body));
  // The CLI on the same config reads and changes the same records.
  const shown = await runCli(['owners', 'show', 'notes', id, '--json', '-c', b.configPath]);
  assert.equal(shown.code, 0, shown.stderr);
  assert.equal((JSON.parse(shown.stdout) as { consumer: string }).consumer, 'alice');
  const set = await runCli(['owners', 'set', 'notes', id, '--consumer', 'bob', '-c', a.configPath]);
  assert.equal(set.code, 0, set.stderr);
  const got = await admin(b, 'GET', `/owners/notes/${id}`);
  assert.equal(got.body.consumer, 'bob', JSON.stringify(got.body));
});

test('PostgreSQL cut off from B: B keeps serving what it knows, its admin changes answer 503, and it catches up when the database is back', async () => {
  const kept = await createKey(a);
  const doomed = await createKey(a);
  await eventually(async () => (await withKey(b, kept.key)) === 200 && (await withKey(b, doomed.key)) === 200, PROMPTLY_MS);
  await relay.cut();
  try {
    assert.equal(await withKey(b, kept.key), 200, 'known keys are served from memory');
    const refused = await admin(b, 'POST', '/keys', { consumer: 'acme-app', scopes: [] });
    assert.equal(refused.status, 503);
    assert.equal(refused.body.code, 'admin.store_unavailable');
    assert.equal(refused.body.retryable, true);
    assert.match(refused.body.detail as string, new RegExp(`^The credential store in PostgreSQL postgres://postgres@127\\.0\\.0\\.1:${relay.port}/test \\(schema ${SCHEMA}\\) cannot be reached: `));
    assert.equal((await admin(b, 'POST', `/keys/${kept.id}/revoke`, { reason: 'x' })).body.code, 'admin.store_unavailable');
    assert.equal((await admin(b, 'POST', '/consumers/alice/password', { password: 'a long password' })).body.code, 'admin.store_unavailable');
    assert.equal((await admin(b, 'GET', '/keys')).status, 503);
    assert.equal((await admin(b, 'GET', '/owners')).body.code, 'admin.store_unavailable', 'the ownership records live in the same database');
    await eventually(async () => b.reports.some((m) => /cannot be reached/.test(m)), PROMPTLY_MS);
    // Meanwhile A, which still reaches the database, revokes a key.
    assert.equal((await admin(a, 'POST', `/keys/${doomed.id}/revoke`, { reason: 'during the outage' })).status, 200);
    assert.equal(await withKey(b, doomed.key), 200, 'a node cut off from the database cannot know yet (the documented bound)');
    assert.ok(!JSON.stringify(refused.body).includes(PASSWORD), 'the password is in no answer');
  } finally {
    await relay.restore();
  }
  await eventually(async () => (await withKey(b, doomed.key)) === 401, 10_000);
  assert.equal(await withKey(b, kept.key), 200);
  await eventually(async () => (await admin(b, 'POST', '/keys', { consumer: 'acme-app', scopes: [] })).status === 201, 10_000);
  assert.ok(b.reports.some((m) => /reachable again/.test(m)), b.reports.join('\n'));
  assert.ok(!b.reports.join('\n').includes(PASSWORD), 'the password is not in the log');
});

test('the server ends B\'s connections (pg_terminate_backend): B keeps serving, reconnects, and revocations reach it again', async () => {
  const { key, id } = await createKey(a);
  await eventually(async () => (await withKey(b, key)) === 200, PROMPTLY_MS);
  assert.ok((await terminateBackends(schemas, APP_B)) >= 1);
  assert.equal(await withKey(b, key), 200);
  assert.equal((await admin(a, 'POST', `/keys/${id}/revoke`, { reason: 'after the restart' })).status, 200);
  await eventually(async () => (await withKey(b, key)) === 401, 10_000);
  await eventually(async () => (await admin(b, 'POST', '/keys', { consumer: 'acme-app', scopes: [] })).status === 201, 10_000);
});

test('a node whose PostgreSQL cannot be reached refuses to start and says why', async () => {
  const closed = createServer();
  const port = await new Promise<number>((resolve) => closed.listen(0, '127.0.0.1', () => resolve((closed.address() as { port: number }).port)));
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const dir = mkdtempSync(join(tmpdir(), 'pinpoint-pgdown-'));
  try {
    const configPath = writeConfig(dir, `postgres://postgres@127.0.0.1:${port}/test`);
    await assert.rejects(startPinpoint({ configPath, port: 0, adminPort: 0, watch: false, report: () => {} }), (err: unknown) => {
      assert.ok(err instanceof StoreOpenError);
      assert.match(err.message, new RegExp(`Cannot open the credential store: PostgreSQL postgres://postgres@127\\.0\\.0\\.1:${port}/test \\(schema ${SCHEMA}\\) cannot be reached: .*ECONNREFUSED`));
      return true;
    });
    const started = await runCli(['start', '-c', configPath, '--port', '0'], { timeoutMs: 60_000 });
    assert.equal(started.code, 1, started.stderr);
    assert.match(started.stderr, /^pinpoint: Cannot open the credential store: PostgreSQL .* cannot be reached: .*ECONNREFUSED.*does not start without it/m);
    assert.ok(!started.stderr.includes(PASSWORD));
    assert.ok(!/\n\s+at /.test(started.stderr), `one clear line, no stack trace:\n${started.stderr}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
