import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startPinpoint, type Running } from '../src/server/start.ts';
import { startUpstream, type Upstream } from './helpers/servers.ts';

let upstream: Upstream;
let running: Running;
let dir: string;
let file: string;
const reports: string[] = [];

const config = (methods: string) => `
gateway: { listen: { port: 0 } }
admin: { enabled: false }
log: { file: calls.db }
services:
  slow: { upstreams: [{ url: "${upstream.url}" }] }
routes:
  - { id: slow-route, service: slow, paths: [/slow], methods: [${methods}] }
`;

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

before(async () => {
  upstream = await startUpstream((req, res) => setTimeout(() => res.end(`done ${req.method}`), 400));
  dir = mkdtempSync(join(tmpdir(), 'pinpoint-reload-'));
  file = join(dir, 'pinpoint.yaml');
  writeFileSync(file, config('GET'));
  running = await startPinpoint({ configPath: file, report: (m) => reports.push(m) });
});
after(async () => {
  await running.close();
  await upstream.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a reload swaps the rules without dropping the request in flight', async () => {
  const url = `http://127.0.0.1:${running.gatewayAddress.port}/slow`;
  const first = running.gateway.loaded.revision;
  const inflight = fetch(url);
  await new Promise((r) => setTimeout(r, 100));
  writeFileSync(file, config('GET, POST'));
  await until(() => running.gateway.loaded.revision !== first, 'reload');
  const res = await inflight;
  assert.equal(res.status, 200);
  assert.equal(await res.text(), 'done GET');
  const post = await fetch(url, { method: 'POST', body: 'x' });
  assert.equal(post.status, 200, 'the new config allows POST');
  assert.ok(reports.some((m) => m.includes('config reloaded')));
});

test('a broken config is refused and the running one keeps serving', async () => {
  const serving = running.gateway.loaded.revision;
  writeFileSync(file, config('GET, POST') + '  - { id: broken, service: nowhere, paths: [/x] }\n');
  await until(() => reports.some((m) => m.includes('refused')), 'refusal report');
  assert.equal(running.gateway.loaded.revision, serving);
  assert.match(reports.find((m) => m.includes('refused'))!, /nowhere/);
  const res = await fetch(`http://127.0.0.1:${running.gatewayAddress.port}/slow`, { method: 'POST', body: 'x' });
  assert.equal(res.status, 200);
});
