// The admin API as the composition root wires it: a real gateway, upstream, call log and admin listener.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startPinpoint, type Running } from '../server/start.ts';
import { startUpstream, type Upstream } from '../../test/helpers/servers.ts';

const TOKEN_ENV = 'PINPOINT_E2E_ADMIN_TOKEN';
const TOKEN = randomBytes(24).toString('hex');

let upstream: Upstream;
let running: Running;
let dir: string;
let gatewayUrl: string;
let adminUrl: string;

before(async () => {
  upstream = await startUpstream();
  dir = mkdtempSync(join(tmpdir(), 'pinpoint-admin-e2e-'));
  const configPath = join(dir, 'pinpoint.yaml');
  writeFileSync(
    configPath,
    `admin:
  tokenEnv: ${TOKEN_ENV}
log:
  file: calls.db
  flushIntervalMs: 5
services:
  orders:
    upstreams:
      - url: ${upstream.url}
routes:
  - id: orders
    service: orders
    paths: [/orders]
    methods: [GET]
`,
  );
  process.env[TOKEN_ENV] = TOKEN;
  running = await startPinpoint({ configPath, port: 0, adminPort: 0, watch: false, report: () => {} });
  gatewayUrl = `http://127.0.0.1:${running.gatewayAddress.port}`;
  adminUrl = `http://127.0.0.1:${running.adminAddress!.port}`;
});

after(async () => {
  await running?.close();
  await upstream?.close();
  delete process.env[TOKEN_ENV];
  rmSync(dir, { recursive: true, force: true });
});

const admin = (path: string) => fetch(adminUrl + path, { headers: { authorization: `Bearer ${TOKEN}` } });

async function whyOf(requestId: string): Promise<Response> {
  // The call log writes in batches off the request path: wait until the entry is stored.
  for (let i = 0; i < 200; i++) {
    const res = await admin(`/why/${requestId}`);
    if (res.status !== 404) return res;
    await res.arrayBuffer();
    await new Promise((r) => setTimeout(r, 10));
  }
  return admin(`/why/${requestId}`);
}

test('a refused request can be explained through the admin API and is counted', async () => {
  const denied = await fetch(gatewayUrl + '/orders', { method: 'DELETE' });
  assert.equal(denied.status, 405);
  await denied.arrayBuffer();
  const requestId = denied.headers.get('x-request-id')!;

  const res = await whyOf(requestId);
  assert.equal(res.status, 200);
  const entry = await res.json();
  assert.equal(entry.requestId, requestId);
  assert.equal(entry.code, 'method.not_allowed');
  assert.equal(entry.decision.outcome, 'deny');
  assert.ok(entry.decision.trace.length >= 2);

  const text = await (await admin('/metrics')).text();
  assert.match(text, /^pinpoint_denials_total\{layer="method",code="method.not_allowed"\} 1$/m);
  assert.match(text, new RegExp(`^pinpoint_requests_total\\{route="${entry.route ?? ''}",method="DELETE",status_class="4xx",outcome="deny"\\} 1$`, 'm'));
});

test('an allowed request is logged and timed, and the upstream shows as healthy', async () => {
  const ok = await fetch(gatewayUrl + '/orders');
  assert.equal(ok.status, 200);
  await ok.arrayBuffer();
  const requestId = ok.headers.get('x-request-id')!;
  assert.equal((await whyOf(requestId)).status, 200);

  const logs = await (await admin('/logs?route=orders&outcome=allow&since=5m')).json();
  assert.ok(logs.entries.some((e: { requestId: string }) => e.requestId === requestId));

  const text = await (await admin('/metrics')).text();
  assert.match(text, /^pinpoint_requests_total\{route="orders",method="GET",status_class="2xx",outcome="allow"\} 1$/m);
  assert.match(text, /^pinpoint_upstream_duration_seconds_count\{route="orders"\} 1$/m);
  assert.match(text, new RegExp(`^pinpoint_upstream_healthy\\{service="orders",url="${upstream.url.replaceAll('.', '\\.')}"\\} 1$`, 'm'));

  const ready = await admin('/ready');
  assert.equal(ready.status, 200);
  assert.equal((await ready.json()).checks.gateway, true);
});

test('the admin listener refuses the gateway\'s callers without the token', async () => {
  const res = await fetch(adminUrl + '/logs');
  assert.equal(res.status, 401);
  assert.equal((await res.json()).code, 'admin.unauthorized');
});
