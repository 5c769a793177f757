// replay (re-decide logged traffic under a candidate config) and diff (why does theirs pass
// and mine fail), through the real CLI against a real gateway's call log and store.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openCallLogReader } from '../src/calllog/index.ts';
import { runCli } from '../src/cli/run-cli.ts';
import { startPinpoint, type Running } from '../src/server/start.ts';
import { ordersConfig } from './helpers/orders-config.ts';
import { startUpstream, type Upstream } from './helpers/servers.ts';

let dir: string;
let configPath: string;
let upstream: Upstream;
let running: Running;
let gateway: string;
const ids: Record<string, string> = {};

const config = (upstreamUrl: string, bobRole = 'writer') => ordersConfig({ upstream: upstreamUrl, bobRole, bobTenant: 'globex' });

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pinpoint-replay-'));
  upstream = await startUpstream();
  configPath = join(dir, 'pinpoint.yaml');
  writeFileSync(configPath, config(upstream.url));
  running = await startPinpoint({ configPath, port: 0, watch: false, report: () => {} });
  gateway = `http://127.0.0.1:${running.gatewayAddress.port}`;
  const bob = (await running.store.createKey({ consumer: 'bob', scopes: ['orders:read', 'orders:write'], actor: 'test' })).key;
  const alice = (await running.store.createKey({ consumer: 'alice', scopes: ['orders:read', 'orders:write'], actor: 'test' })).key;
  const send = async (name: string, method: string, key: string) => {
    const res = await fetch(`${gateway}/orders`, { method, headers: { 'x-api-key': key, 'content-type': 'application/json' }, body: method === 'POST' ? '{}' : undefined });
    await res.arrayBuffer();
    ids[name] = res.headers.get('x-request-id')!;
  };
  await send('bobPost', 'POST', bob);
  await send('bobPost2', 'POST', bob);
  await send('alicePost', 'POST', alice);
  await send('aliceGet', 'GET', alice);
  // The call log is written off the request path: wait until the four entries are in.
  const reader = openCallLogReader(running.logFile);
  try {
    for (let i = 0; i < 200 && Object.values(ids).some((id) => !reader.get(id)); i++) await new Promise((r) => setTimeout(r, 20));
  } finally {
    reader.close();
  }
});
after(async () => {
  await running.close();
  await upstream.close();
  rmSync(dir, { recursive: true, force: true });
});

test('replay: a candidate that makes bob a viewer would newly deny his two POSTs, from one tenant; the rest is unchanged', async () => {
  const candidate = join(dir, 'candidate.yaml');
  writeFileSync(candidate, config(upstream.url, 'viewer'));
  const r = await runCli(['replay', '-c', candidate, '--db', running.logFile, '--since', '1h', '--json'], { timeoutMs: 20000 });
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.replayed, 4);
  assert.equal(report.unchanged, 2);
  assert.deepEqual(report.changed.map((c: { requestId: string }) => c.requestId).sort(), [ids.bobPost, ids.bobPost2].sort());
  assert.equal(report.tenantsNewlyDenied, 1);
  assert.deepEqual(report.groups.map((g: { change: string; code: string; count: number; consumers: string[] }) => [g.change, g.code, g.count, g.consumers]), [['newly_denied', 'authz.permission_missing', 2, ['bob']]]);
  const text = await runCli(['replay', '-c', candidate, '--db', running.logFile, '--since', '1h'], { timeoutMs: 20000 });
  assert.match(text.stdout, /would newly deny 2 requests from 1 tenant/);
  const withBaseline = JSON.parse((await runCli(['replay', '-c', candidate, '--baseline', configPath, '--since', '1h', '--json'], { timeoutMs: 20000 })).stdout);
  assert.deepEqual(withBaseline.changed.map((c: { requestId: string }) => c.requestId).sort(), [ids.bobPost, ids.bobPost2].sort(), 'against a baseline re-decision, the same two change');
  assert.match(withBaseline.caveats[0], /both configs re-decided/);
  const same = await runCli(['replay', '-c', configPath, '--since', '1h', '--json'], { timeoutMs: 20000 });
  assert.equal(JSON.parse(same.stdout).changed.length, 0, 'the live config re-decides every logged request the same way');
});

test('diff of two logged requests: the first layer where they part, the consumer and the keys\' scopes', async () => {
  const r = await runCli(['diff', ids.bobPost, ids.alicePost, '-c', configPath, '--json'], { timeoutMs: 20000 });
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.a.outcome, 'allow');
  assert.equal(report.b.code, 'authz.permission_missing');
  assert.equal(report.firstDivergence.layer, 'authz');
  const aspects = Object.fromEntries(report.differences.map((d: { aspect: string; a: string; b: string }) => [d.aspect, [d.a, d.b]]));
  assert.deepEqual(aspects.consumer, ['bob', 'alice']);
  assert.deepEqual(aspects.tenant, ['globex', 'acme']);
  assert.match(aspects.credential[0], /^pk_\w+… \(scopes orders:read orders:write; active\)$/);
  assert.deepEqual(aspects['header:x-api-key'], undefined, 'both carry a key: the values are not compared or shown');
  const text = await runCli(['diff', ids.bobPost, ids.alicePost, '-c', configPath], { timeoutMs: 20000 });
  assert.match(text.stdout, /First layer where they part: authz/);
});

test('diff of two pasted requests decides each and shows the body fields that differ', async () => {
  const a = join(dir, 'a.http');
  const b = join(dir, 'b.http');
  writeFileSync(a, `curl http://api.test/orders -H 'Content-Type: application/json' --data-raw '{"item":"book","qty":1}'`);
  writeFileSync(b, `curl http://api.test/orders -X DELETE -H 'Content-Type: application/json' --data-raw '{"item":"book","qty":2}'`);
  const r = await runCli(['diff', a, b, '-c', configPath, '--json'], { timeoutMs: 20000 });
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.a.code, 'authn.credential_missing');
  assert.equal(report.b.code, 'method.not_allowed');
  assert.equal(report.firstDivergence.layer, 'method');
  const aspects = report.differences.map((d: { aspect: string }) => d.aspect);
  assert.ok(aspects.includes('method'));
  assert.ok(aspects.includes('body:/qty'));
  assert.ok(!aspects.includes('body:/item'));
});
