// explain end to end: the CLI against a config file (a real process), the admin API's
// POST /explain against a running gateway, a logged request re-decided, a candidate config,
// and --save-test writing a regression case.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../src/cli/run-cli.ts';
import { startPinpoint, type Running } from '../src/server/start.ts';
import { ordersConfig } from './helpers/orders-config.ts';
import { startUpstream, type Upstream } from './helpers/servers.ts';

const TOKEN = 'explain-admin-token-0123456789abcdef0123456789';
const TOKEN_ENV = 'PINPOINT_TEST_EXPLAIN_TOKEN';
let dir: string;
let configPath: string;
let upstream: Upstream;
let running: Running;
let gateway: string;
let adminUrl: string;
let readKey: string;

const config = (upstreamUrl: string, postRoles = 'writer') => ordersConfig({ upstream: upstreamUrl, admin: `{ tokenEnv: ${TOKEN_ENV} }`, bobRole: postRoles });

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pinpoint-explain-cli-'));
  upstream = await startUpstream();
  configPath = join(dir, 'pinpoint.yaml');
  writeFileSync(configPath, config(upstream.url));
  process.env[TOKEN_ENV] = TOKEN;
  running = await startPinpoint({ configPath, port: 0, adminPort: 0, watch: false, report: () => {} });
  gateway = `http://127.0.0.1:${running.gatewayAddress.port}`;
  adminUrl = `http://127.0.0.1:${running.adminAddress!.port}`;
  readKey = (await running.store.createKey({ consumer: 'bob', scopes: ['orders:read'], actor: 'test' })).key;
});
after(async () => {
  await running.close();
  await upstream.close();
  rmSync(dir, { recursive: true, force: true });
});

const curl = (key: string) => `curl 'http://api.example.com/orders' -X POST -H 'Content-Type: application/json' -H 'X-API-Key: ${key}' --data-raw '{"item":"book"}'`;

async function adminExplain(body: unknown) {
  const res = await fetch(`${adminUrl}/explain`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

test('the CLI explains a pasted curl command against a config file: decision, trace and a proved fix', async () => {
  const seen = upstream.seen.length;
  const r = await runCli(['explain', '-', '-c', configPath], { input: curl(readKey), timeoutMs: 20000 });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /DENIED 403 authz\.scope_missing/);
  assert.match(r.stdout, /Trace/);
  assert.match(r.stdout, /the key's owner: Use a credential of bob that also has scope orders:write .*\[proved: then allowed\]/);
  assert.equal(r.stdout.includes(readKey), false, 'the key is never printed');
  assert.equal(upstream.seen.length, seen, 'nothing was sent upstream');
  const json = await runCli(['explain', '-', '-c', configPath, '--json', '--as', 'alice'], { input: curl(readKey), timeoutMs: 20000 });
  const report = JSON.parse(json.stdout);
  assert.equal(report.decision.code, 'authz.permission_missing');
  assert.equal(report.as, 'alice');
});

test('POST /explain on the admin API decides with the running gateway, and with a candidate config', async () => {
  const live = await adminExplain({ request: curl(readKey) });
  assert.equal(live.status, 200);
  assert.equal(live.body.report.decision.code, 'authz.scope_missing');
  assert.equal(live.body.report.decision.disposition, 'explain');
  assert.ok(live.body.report.decision.trace.length > 3);
  const asAlice = await adminExplain({ request: curl(readKey), as: 'alice', config: config(upstream.url, 'viewer') });
  assert.equal(asAlice.body.report.decision.code, 'authz.permission_missing');
  const proved = asAlice.body.report.fixes.filter((f: { proved: boolean }) => f.proved).map((f: { action: string }) => f.action);
  assert.deepEqual(proved, ['Give alice the role writer (consumers.alice.roles).']);
  const bad = await adminExplain({ request: 'hello there' });
  assert.equal(bad.status, 400);
  assert.match(JSON.stringify(bad.body), /cannot tell what kind of request/);
  const badConfig = await adminExplain({ request: curl(readKey), config: 'routes: 3' });
  assert.equal(badConfig.status, 400);
  const cli = await runCli(['explain', '-', '--admin', adminUrl, '--json'], { input: curl(readKey), env: { PINPOINT_ADMIN_TOKEN: TOKEN } });
  assert.equal(cli.code, 0, cli.stderr);
  assert.equal(JSON.parse(cli.stdout).decision.code, 'authz.scope_missing', 'the CLI asks the running gateway');
  const refused = await runCli(['explain', '-', '--admin', adminUrl], { input: curl(readKey), env: { PINPOINT_ADMIN_TOKEN: 'wrong-token' } });
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /The admin API refused the request \(401\)/);
});

test('a logged request is re-decided by its id as its recorded consumer; --save-test writes a case that holds', async () => {
  const res = await fetch(`${gateway}/orders`, { method: 'POST', headers: { 'x-api-key': readKey, 'content-type': 'application/json' }, body: '{}' });
  assert.equal(res.status, 403);
  const id = res.headers.get('x-request-id')!;
  await new Promise((r) => setTimeout(r, 100));
  const viaAdmin = await adminExplain({ requestId: id });
  assert.equal(viaAdmin.status, 200, JSON.stringify(viaAdmin.body));
  assert.equal(viaAdmin.body.report.decision.code, 'authz.scope_missing', 'the key\'s scopes come from the store: still read-only');
  assert.match(viaAdmin.body.caveats.join(' '), /credential was redacted: re-decided as consumer bob/);

  const caseFile = join(dir, 'cases', 'bob-post.case.json');
  const cli = await runCli(['explain', id, '-c', configPath, '--save-test', caseFile], { timeoutMs: 20000 });
  assert.equal(cli.code, 0, cli.stderr);
  assert.match(cli.stdout, /authz\.scope_missing/);
  assert.ok(existsSync(caseFile));
  const saved = JSON.parse(readFileSync(caseFile, 'utf8'));
  assert.deepEqual(saved.expect, { outcome: 'deny', status: 403, code: 'authz.scope_missing' });
  assert.equal(saved.config, '../pinpoint.yaml');
  assert.equal(JSON.stringify(saved).includes(readKey), false, 'a case holds no secret');
});
