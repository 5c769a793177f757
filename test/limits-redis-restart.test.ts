// A Redis restart in the middle of load: the test runs its own redis-server on a free loopback
// port (never the shared one on 6379), kills it while requests flow, and starts it again.
// Policies that fail open keep serving uncounted, policies that fail closed answer 503
// limits.backend_unavailable, the gateway keeps serving throughout, and once Redis is back
// the limits hold again (the script is loaded again after the restart emptied its cache).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { after, test } from 'node:test';
import { createLimitsDeps } from '../src/layers/limits/deps.ts';
import { startGateway, startUpstream } from './helpers/servers.ts';

const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  for (let i = 0; i < 100 && !/Ready to accept connections/.test(out); i++) await new Promise((r) => setTimeout(r, 50));
  assert.match(out, /Ready to accept connections/, `redis-server did not start:\n${out}`);
  return child;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 15000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`timed out waiting until ${what}`);
}

test('a Redis restart mid-load follows each policy\'s fail mode, the gateway keeps serving, and the limits hold again after', async () => {
  const port = await freePort();
  let redis = await startRedis(port);
  const upstream = await startUpstream();
  const reports: string[] = [];
  const limits = createLimitsDeps({ report: (m) => reports.push(m) });
  const gw = await startGateway(
    `
limits:
  backend: redis
  redis: { url: "redis://127.0.0.1:${port}", connectTimeoutMs: 1000, commandTimeoutMs: 3000 }
  policies:
    lenient: { key: [ip, route], rate: [{ limit: 100000, windowS: 60 }], failMode: open }
    strict: { key: [ip, route], rate: [{ limit: 100000, windowS: 60 }], failMode: closed }
    tight: { key: [ip], rate: [{ limit: 3, windowS: 3600 }], failMode: closed }
services: { api: { upstreams: [{ url: "${upstream.url}" }] } }
routes:
  - { id: open, service: api, paths: [/open], methods: [GET], limits: [lenient] }
  - { id: closed, service: api, paths: [/closed], methods: [GET], limits: [strict] }
  - { id: tight, service: api, paths: [/tight], methods: [GET], limits: [tight] }
`,
    { limits },
  );
  const statuses = { open: new Map<number, number>(), closed: new Map<number, number>() };
  const hit = async (path: 'open' | 'closed'): Promise<number> => {
    const res = await fetch(`${gw.url}/${path}`);
    const body = await res.text();
    if (res.status === 503) assert.equal(JSON.parse(body).code, 'limits.backend_unavailable');
    statuses[path].set(res.status, (statuses[path].get(res.status) ?? 0) + 1);
    return res.status;
  };
  // Background load, bounded: at most 1500 requests, 4 at a time, until stopped.
  let running = true;
  let sent = 0;
  const load = (async () => {
    while (running && sent < 1500) {
      sent += 4;
      await Promise.all([hit('open'), hit('closed'), hit('open'), hit('closed')]);
    }
  })();
  try {
    await limits.ready();
    await until('requests pass with Redis up', async () => (await hit('closed')) === 200);

    redis.kill('SIGKILL');
    await once(redis, 'exit');
    await until('the fail-closed route answers 503', async () => (await hit('closed')) === 503);
    for (let i = 0; i < 10; i++) assert.equal(await hit('open'), 200, 'the fail-open route keeps serving while Redis is down');

    redis = await startRedis(port);
    await until('the fail-closed route passes again', async () => (await hit('closed')) === 200);
    // Counting again: the restarted Redis kept nothing (no persistence), so the tight limit starts over.
    const tight = [];
    for (let i = 0; i < 4; i++) tight.push((await fetch(`${gw.url}/tight`).then(async (r) => (await r.arrayBuffer(), r.status))));
    assert.deepEqual(tight, [200, 200, 200, 429]);
  } finally {
    running = false;
    await load;
    await gw.close();
    await limits.close();
    await upstream.close();
    redis.kill('SIGKILL');
  }
  // Nothing but 200 on the open route; only 200 and 503 on the closed one; no connection errors (fetch would have thrown).
  assert.deepEqual([...statuses.open.keys()], [200]);
  assert.deepEqual([...statuses.closed.keys()].sort(), [200, 503]);
  assert.ok(reports.some((m) => /is unreachable/.test(m)) && reports.some((m) => /reachable again/.test(m)), reports.join('\n'));
});
