// Several gateway nodes against one Redis: two real `pinpoint start` processes share counters
// and suspensions in the real Redis on 127.0.0.1:6379, under a key prefix of this test run,
// deleted at the end. Traffic goes to loopback only and is bounded in count.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { exited, runCli, spawnCli, waitForOutput } from '../src/cli/run-cli.ts';
import { openStore } from '../src/store/index.ts';
import { startUpstream, type Upstream } from './helpers/servers.ts';

const PREFIX = `pinpoint-test:${randomUUID()}:`;
const LIMIT = 25;

let dir: string;
let configPath: string;
let upstream: Upstream;
let nodes: { child: ChildProcess; url: string }[] = [];
/** Every child started, also one that never got to listen, so that none is left running. */
const children: ChildProcess[] = [];
// Generous: on a loaded 2-core machine a child compiles the whole gateway before it listens.
const SLOW_MS = 60_000;
let apiKey: string;
let redis: Redis;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pinpoint-cluster-'));
  upstream = await startUpstream();
  redis = new Redis('redis://127.0.0.1:6379');
  configPath = join(dir, 'pinpoint.yaml');
  writeFileSync(
    configPath,
    `
admin: { enabled: false }
log: { file: calls.db }
store: { file: keys.db }
tenants: { acme: {} }
consumers: { acme-app: { tenant: acme } }
limits:
  backend: redis
  # A long command timeout: on a loaded test machine a slow answer must not turn into a fail-closed 503.
  redis: { url: "redis://127.0.0.1:6379", keyPrefix: "${PREFIX}", commandTimeoutMs: 10000 }
  policies:
    # An hour window: no unit refills while the test runs, so "exactly the limit" is exact.
    shared: { key: [ip], rate: [{ limit: ${LIMIT}, windowS: 3600 }], failMode: closed }
    cap: { key: [consumer], quota: { limit: 3, period: month, onExhausted: suspend } }
services: { api: { upstreams: [{ url: "${upstream.url}" }] } }
routes:
  - { id: shared, service: api, paths: [/shared], methods: [GET], limits: [shared] }
  - { id: capped, service: api, paths: [/capped], methods: [GET], authn: [apiKey], limits: [cap] }
  - { id: plain, service: api, paths: [/plain], methods: [GET], authn: [apiKey] }
`,
  );
  // The key exists before the nodes start, as an operator would have created it; both nodes read the same store.
  const store = openStore(join(dir, 'keys.db'));
  apiKey = (await store.createKey({ consumer: 'acme-app', scopes: [], actor: 'test' })).key;
  await store.close();
  nodes = await Promise.all(
    [0, 1].map(async () => {
      const child = spawnCli(['start', '-c', configPath, '--port', '0']);
      children.push(child);
      const { match } = await waitForOutput(child, /gateway listening on (http:\/\/127\.0\.0\.1:\d+)/, SLOW_MS);
      return { child, url: match[1] };
    }),
  );
});

after(async () => {
  for (const c of children) c.kill('SIGTERM');
  await Promise.all(children.map((c) => exited(c, SLOW_MS).catch(() => c.kill('SIGKILL'))));
  const keys = await redis.keys(PREFIX + '*');
  if (keys.length) await redis.del(...keys);
  await redis.quit();
  await upstream.close();
  rmSync(dir, { recursive: true, force: true });
});

async function statusOf(url: string, headers: Record<string, string> = {}): Promise<number> {
  const res = await fetch(url, { headers });
  await res.arrayBuffer();
  return res.status;
}

test('two gateway processes sharing one Redis limit let through exactly the limit together, under concurrent load', async () => {
  const seen = upstream.seen.length;
  // 3x the limit, all at once, spread over both nodes.
  const statuses = await Promise.all(Array.from({ length: LIMIT * 3 }, (_, i) => statusOf(`${nodes[i % 2].url}/shared`)));
  const ok = statuses.filter((s) => s === 200).length;
  const limited = statuses.filter((s) => s === 429).length;
  assert.equal(ok, LIMIT, `admitted ${ok} of ${statuses.length} (${JSON.stringify(statuses)})`);
  assert.equal(limited, LIMIT * 2);
  assert.equal(upstream.seen.length - seen, LIMIT);
  // Both nodes refuse now, each telling the same wait.
  for (const n of nodes) {
    const res = await fetch(`${n.url}/shared`);
    assert.equal(res.status, 429);
    assert.equal(res.headers.get('ratelimit'), `"shared:3600s";r=0;t=${res.headers.get('retry-after')}`);
    assert.equal((await res.json()).code, 'limits.rate_exceeded');
  }
});

test('a suspension set on one node is enforced by the other, listed and lifted with pinpoint limits', async () => {
  const auth = { 'x-api-key': apiKey };
  for (let i = 0; i < 3; i++) assert.equal(await statusOf(`${nodes[i % 2].url}/capped`, auth), 200);
  const over = await fetch(`${nodes[1].url}/capped`, { headers: auth });
  assert.equal(over.status, 403);
  assert.equal((await over.json()).code, 'limits.consumer_suspended');
  const elsewhere = await fetch(`${nodes[0].url}/plain`, { headers: auth });
  assert.equal(elsewhere.status, 403);
  const body = await elsewhere.json();
  assert.equal(body.code, 'limits.consumer_suspended');
  assert.equal(body.retryable, false);

  const listed = await runCli(['limits', 'suspensions', '-c', configPath, '--json'], { timeoutMs: SLOW_MS });
  assert.equal(listed.code, 0, listed.stderr);
  const rows = JSON.parse(listed.stdout);
  assert.equal(rows.length, 1);
  assert.equal(rows[0].what, 'consumer');
  assert.equal(rows[0].name, 'acme-app');
  assert.match(rows[0].reason, /quota cap:month \(3 per UTC month\) exceeded/);

  const lifted = await runCli(['limits', 'lift', 'consumer', 'acme-app', '-c', configPath], { timeoutMs: SLOW_MS });
  assert.equal(lifted.code, 0, lifted.stderr);
  for (const n of nodes) assert.equal(await statusOf(`${n.url}/plain`, auth), 200);
  const again = await runCli(['limits', 'lift', 'consumer', 'acme-app', '-c', configPath], { timeoutMs: SLOW_MS });
  assert.equal(again.code, 1);
  assert.match(again.stderr, /not suspended/);
});
