// HTTP Basic end to end: a gateway started like `pinpoint start`, passwords set with the real
// CLI (from stdin) and the admin API, requests with real sockets, decisions read with `why`.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openCallLogReader } from '../src/calllog/index.ts';
import { runCli } from '../src/cli/run-cli.ts';
import { startPinpoint, type Running } from '../src/server/start.ts';
import { eventually } from './helpers/pinpoint-dir.ts';
import { startUpstream, type Upstream } from './helpers/servers.ts';

const TOKEN_ENV = 'PINPOINT_TEST_BASIC_ADMIN_TOKEN';
const TOKEN = 'basic-admin-token-0123456789abcdef0123456789';
let dir: string;
let configPath: string;
let running: Running;
let upstream: Upstream;
let url: string;
let adminUrl: string;
let reader: ReturnType<typeof openCallLogReader> | undefined;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pinpoint-basic-'));
  upstream = await startUpstream();
  configPath = join(dir, 'pinpoint.yaml');
  writeFileSync(
    configPath,
    `
admin: { tokenEnv: ${TOKEN_ENV} }
log: { file: data/calls.db, flushIntervalMs: 5 }
store: { file: data/keys.db }
authn: { realm: shop }
tenants:
  acme: {}
consumers:
  alice: { tenant: acme, roles: [buyer] }
  bob: { tenant: acme }
  carol: { tenant: acme, status: suspended, reason: left the company }
services:
  shop: { upstreams: [{ url: "${upstream.url}" }] }
routes:
  - { id: basic, service: shop, paths: [/basic], authn: [basic] }
  - { id: either, service: shop, paths: [/either], authn: [apiKey, basic] }
`,
  );
  process.env[TOKEN_ENV] = TOKEN;
  running = await startPinpoint({ configPath, port: 0, adminPort: 0, watch: false, report: () => {} });
  url = `http://127.0.0.1:${running.gatewayAddress.port}`;
  adminUrl = `http://127.0.0.1:${running.adminAddress!.port}`;
  const set = await runCli(['consumers', 'set-password', 'alice', '-c', configPath], { input: 'alice password 1\n' });
  assert.equal(set.code, 0, set.stderr);
  await runCli(['consumers', 'set-password', 'carol', '-c', configPath], { input: 'carol password 1\n' });
  await eventually(async () => (await call('/basic', basic('alice', 'alice password 1'))).status === 200, 3000);
});
after(async () => {
  reader?.close();
  await running.close();
  await upstream.close();
  rmSync(dir, { recursive: true, force: true });
});

const basic = (user: string, password: string) => 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');
const call = (path: string, authorization?: string) => fetch(url + path, { headers: authorization ? { authorization } : {} });

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

test('the right password passes; the consumer is named; the Authorization header is not forwarded', async () => {
  const seen = upstream.seen.length;
  const res = await call('/basic', basic('alice', 'alice password 1'));
  assert.equal(res.status, 200);
  assert.equal(upstream.seen.length, seen + 1);
  assert.equal(upstream.seen[seen].headers.authorization, undefined, 'the password stays at the gateway');
  const c = await logged(res);
  assert.equal(c.consumer, 'alice');
  assert.equal(c.tenant, 'acme');
  assert.equal(c.decision.credential, 'basic:alice');
});

test('a wrong password and an unknown user get the same 401 with a Basic challenge; the operator is told which', async () => {
  const wrong = await call('/basic', basic('alice', 'not her password'));
  const nobody = await call('/basic', basic('mallory', 'alice password 1'));
  const noPassword = await call('/basic', basic('bob', 'anything at all'));
  for (const res of [wrong, nobody, noPassword]) {
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('www-authenticate'), 'Basic realm="shop", charset="UTF-8"');
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body.code, 'authn.password_invalid');
    assert.equal(body.hint, 'The user name or password is not valid.');
  }
  const details = await Promise.all([wrong, nobody, noPassword].map(async (r) => (await logged(r)).decision));
  assert.match(details[0].detail!, /alice.*the password does not match/);
  assert.match(details[1].detail!, /mallory.*no consumer has this name/);
  assert.match(details[2].detail!, /bob.*the consumer has no password/);
  assert.deepEqual(details.map((d) => d.credential), ['basic:alice', 'basic:mallory', 'basic:bob']);
  const out = await runCli(['why', wrong.headers.get('x-request-id')!, '--db', running.logFile]);
  assert.match(out.stdout, /DENIED 401 authn\.password_invalid/);
  assert.ok(!out.stdout.includes('not her password'), 'never the password');
});

test('credentials that are not base64 of user:password are malformed', async () => {
  for (const value of ['Basic !!!notbase64', 'Basic ' + Buffer.from('no-colon').toString('base64'), 'Basic ' + Buffer.from(':pw').toString('base64'), 'Basic YWxpY2U6cA']) {
    const res = await call('/basic', value);
    assert.equal(res.status, 401, value);
    assert.equal(((await res.json()) as { code: string }).code, 'authn.credential_malformed', value);
  }
});

test('a suspended consumer with the right password is 403 consumer_suspended, no challenge', async () => {
  const res = await call('/basic', basic('carol', 'carol password 1'));
  assert.equal(res.status, 403);
  assert.equal(res.headers.get('www-authenticate'), null);
  assert.equal(((await res.json()) as { code: string }).code, 'authn.consumer_suspended');
});

test('no credential: 401 with the challenges of every accepted kind', async () => {
  const res = await call('/either');
  assert.equal(res.status, 401);
  assert.equal(res.headers.get('www-authenticate'), 'ApiKey realm="shop", header="x-api-key", Basic realm="shop", charset="UTF-8"');
  assert.equal((await call('/either', basic('alice', 'alice password 1'))).status, 200);
});

test('a repeated check is cached (much faster than scrypt); a changed password takes effect at once', async () => {
  const auth = basic('alice', 'alice password 1');
  assert.equal((await call('/basic', auth)).status, 200);
  const t0 = performance.now();
  for (let i = 0; i < 20; i++) assert.equal((await call('/basic', auth)).status, 200);
  const perRequest = (performance.now() - t0) / 20;
  assert.ok(perRequest < 15, `a cached check costs ${perRequest.toFixed(1)} ms per request`);
  const res = await fetch(`${adminUrl}/consumers/alice/password`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ password: 'alice password 2' }),
  });
  assert.equal(res.status, 200);
  const body = (await res.json()) as Record<string, unknown>;
  assert.equal(body.consumer, 'alice');
  assert.ok(!JSON.stringify(body).includes('alice password 2'));
  await eventually(async () => (await call('/basic', auth)).status === 401, 3000);
  assert.equal((await call('/basic', basic('alice', 'alice password 2'))).status, 200);
  const audit = await runCli(['audit-log', '-c', configPath, '--json']);
  const entries = JSON.parse(audit.stdout) as Array<{ action: string; consumer: string; actor: string }>;
  assert.deepEqual(entries.filter((e) => e.consumer === 'alice').map((e) => [e.action, e.actor.split(':')[0]]), [['set_password', 'admin-api'], ['set_password', 'cli']]);
});

test('set-password and the admin API refuse unknown consumers and short passwords; nothing secret is stored in the files', async () => {
  const unknown = await runCli(['consumers', 'set-password', 'mallory', '-c', configPath], { input: 'long enough password\n' });
  assert.notEqual(unknown.code, 0);
  assert.match(unknown.stderr, /unknown consumer "mallory"/i);
  const short = await runCli(['consumers', 'set-password', 'bob', '-c', configPath], { input: 'short\n' });
  assert.notEqual(short.code, 0);
  assert.match(short.stderr, /at least 8 characters/);
  const res = await fetch(`${adminUrl}/consumers/nobody/password`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ password: 'long enough password' }),
  });
  assert.equal(res.status, 400);
  const files = [join(dir, 'data/keys.db'), join(dir, 'data/keys.db-wal'), running.logFile, `${running.logFile}-wal`].filter(existsSync);
  const bytes = Buffer.concat(files.map((f) => readFileSync(f)));
  for (const secret of ['alice password 1', 'alice password 2', 'not her password', Buffer.from('alice:alice password 1').toString('base64')]) {
    assert.ok(!bytes.includes(Buffer.from(secret)), `${secret} is in a file`);
  }
});

test('the admin API removes a password: Basic stops working at once; removing it again is 404; unknown consumers 400', async () => {
  const admin = (path: string, method: string) => fetch(`${adminUrl}${path}`, { method, headers: { authorization: `Bearer ${TOKEN}` } });
  await runCli(['consumers', 'set-password', 'bob', '-c', configPath], { input: 'bob password 1\n' });
  await eventually(async () => (await call('/basic', basic('bob', 'bob password 1'))).status === 200, 3000);
  const removed = await admin('/consumers/bob/password', 'DELETE');
  assert.equal(removed.status, 200);
  assert.deepEqual(await removed.json(), { consumer: 'bob', removed: true });
  await eventually(async () => (await call('/basic', basic('bob', 'bob password 1'))).status === 401, 3000);
  const again = await admin('/consumers/bob/password', 'DELETE');
  assert.equal(again.status, 404);
  assert.equal(((await again.json()) as { code: string }).code, 'admin.password_not_found');
  assert.equal((await admin('/consumers/nobody/password', 'DELETE')).status, 400);
  const audit = JSON.parse((await runCli(['audit-log', '-c', configPath, '--json'])).stdout) as Array<{ action: string; consumer: string; actor: string }>;
  assert.ok(audit.some((e) => e.consumer === 'bob' && e.action === 'remove_password' && e.actor.startsWith('admin-api')));
});
