// Shadow mode: a candidate config decides every live request beside the enforced one, as a
// dry run; the call log records where it differs and `pinpoint shadow report` sums it up.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openCallLogReader } from '../src/calllog/index.ts';
import { runCli } from '../src/cli/run-cli.ts';
import { ConfigError, loadConfigText } from '../src/config/load.ts';
import { startPinpoint, type Running } from '../src/server/start.ts';
import { ordersConfig } from './helpers/orders-config.ts';
import { startUpstream, type Upstream } from './helpers/servers.ts';

let dir: string;
let configPath: string;
let upstream: Upstream;
let running: Running;
let gateway: string;
let bobKey: string;
let aliceKey: string;

const config = (upstreamUrl: string, bobRole: string, shadow = '', aliceRole = 'viewer') => ordersConfig({ upstream: upstreamUrl, bobRole, aliceRole, extra: shadow });

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pinpoint-shadow-'));
  upstream = await startUpstream();
  configPath = join(dir, 'pinpoint.yaml');
  // The candidate takes bob's write access away and gives it to alice.
  writeFileSync(join(dir, 'candidate.yaml'), config(upstream.url, 'viewer', '', 'writer'));
  writeFileSync(configPath, config(upstream.url, 'writer', 'shadow: { config: candidate.yaml }'));
  running = await startPinpoint({ configPath, port: 0, watch: false, report: () => {} });
  gateway = `http://127.0.0.1:${running.gatewayAddress.port}`;
  bobKey = (await running.store.createKey({ consumer: 'bob', scopes: ['orders:read', 'orders:write'], actor: 'test' })).key;
  aliceKey = (await running.store.createKey({ consumer: 'alice', scopes: ['orders:read', 'orders:write'], actor: 'test' })).key;
});
after(async () => {
  await running.close();
  await upstream.close();
  rmSync(dir, { recursive: true, force: true });
});

async function logged(id: string) {
  const reader = openCallLogReader(running.logFile);
  try {
    for (let i = 0; i < 200; i++) {
      const c = reader.get(id);
      if (c) return c;
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    reader.close();
  }
  throw new Error(`${id} not logged`);
}

const post = (key: string) => fetch(`${gateway}/orders`, { method: 'POST', headers: { 'x-api-key': key, 'content-type': 'application/json' }, body: '{"item":1}' });

test('live traffic is decided by the enforced config; the shadow candidate\'s different decision is recorded', async () => {
  const seen = upstream.seen.length;
  const bob = await post(bobKey);
  assert.equal(bob.status, 200, 'enforced: bob is a writer');
  const alice = await post(aliceKey);
  assert.equal(alice.status, 403, 'enforced: alice is a viewer');
  assert.equal(upstream.seen.length, seen + 1, 'only the allowed request went upstream, once');
  const b = await logged(bob.headers.get('x-request-id')!);
  assert.equal(b.decision.outcome, 'allow');
  assert.deepEqual({ outcome: b.decision.shadowDecision?.outcome, code: b.decision.shadowDecision?.code }, { outcome: 'deny', code: 'authz.permission_missing' });
  const a = await logged(alice.headers.get('x-request-id')!);
  assert.equal(a.decision.code, 'authz.permission_missing');
  assert.equal(a.decision.shadowDecision?.outcome, 'allow');
  const get = await fetch(`${gateway}/orders`, { headers: { 'x-api-key': bobKey } });
  await get.arrayBuffer();
  assert.equal((await logged(get.headers.get('x-request-id')!)).decision.shadowDecision, undefined, 'where both agree nothing is added');
});

test('pinpoint shadow report groups what the candidate would newly deny and allow', async () => {
  const r = await runCli(['shadow', 'report', '-c', configPath, '--since', '1h', '--json'], { timeoutMs: 20000 });
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.newlyDenied, 1);
  assert.equal(report.newlyAllowed, 1);
  assert.deepEqual(report.groups.map((g: { change: string; code: string; consumers: string[] }) => [g.change, g.code, g.consumers]).sort(), [
    ['newly_allowed', 'authz.permission_missing', ['alice']],
    ['newly_denied', 'authz.permission_missing', ['bob']],
  ]);
  const text = await runCli(['shadow', 'report', '-c', configPath, '--since', '1h'], { timeoutMs: 20000 });
  assert.match(text.stdout, /would newly deny 1 request from 1 tenant and newly allow 1/);
});

test('a shadow config that does not load fails the load at shadow.config; a candidate cannot have a shadow', () => {
  const missing = `shadow: { config: ${join(dir, 'nope.yaml')} }\n`;
  assert.throws(() => loadConfigText(missing, join(dir, 'x.yaml')), (e: unknown) => e instanceof ConfigError && /x\.yaml:1:\d+ {2}shadow\.config {2}cannot read the shadow config .*no such file/.test(e.message));
  writeFileSync(join(dir, 'bad.yaml'), 'routes: 3\n');
  assert.throws(() => loadConfigText('shadow: { config: bad.yaml }\n', join(dir, 'y.yaml')), (e: unknown) => e instanceof ConfigError && /the shadow config bad\.yaml does not load/.test(e.message));
  writeFileSync(join(dir, 'loop.yaml'), 'shadow: { config: loop.yaml }\n');
  assert.throws(() => loadConfigText('shadow: { config: loop.yaml }\n', join(dir, 'z.yaml')), (e: unknown) => e instanceof ConfigError && /cannot have a shadow of its own/.test(e.message));
});
