// Test harness: a real admin listener on an ephemeral loopback port over a real call log file.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCallLog, openCallLogReader } from '../calllog/index.ts';
import type { CallLog, CallLogReader, CallRecord } from '../calllog/types.ts';
import { loadConfigText, type LoadedConfig } from '../config/load.ts';
import { createProxies } from '../proxy/index.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { startAdmin } from './server.ts';
import type { AdminServer } from './types.ts';

export const TOKEN = 'admin-token-0123456789abcdef0123456789abcdef';
export const UPSTREAM_PASSWORD = 'upstream-pa55word';

export const YAML = `
services:
  orders:
    upstreams:
      - url: http://svc:${UPSTREAM_PASSWORD}@127.0.0.1:9
routes:
  - id: orders
    service: orders
    paths: [/orders, /orders/:id]
    methods: [GET]
`;

export interface Harness {
  url: string;
  admin: AdminServer;
  callLog: CallLog;
  reader: CallLogReader;
  metrics: Metrics;
  /** The config in force; assign to simulate a reload. */
  loaded: LoadedConfig;
  gatewayReady: { value: boolean };
  close(): Promise<void>;
}

export async function startHarness(token: string | undefined, loaded = loadConfigText(YAML, 'test.yaml')): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'pinpoint-admin-'));
  const file = join(dir, 'calls.db');
  const callLog = openCallLog({ ...loaded.config.log, file, flushIntervalMs: 5 });
  const reader = openCallLogReader(file);
  const metrics = createMetrics();
  const gatewayReady = { value: true };
  const proxies = createProxies(loaded.config);
  const admin = await startAdmin({
    host: '127.0.0.1',
    port: 0,
    token,
    loaded: () => h.loaded,
    reader,
    callLogStats: () => callLog.stats(),
    upstreamHealth: () => proxies.health(),
    metrics,
    ready: () => gatewayReady.value,
  });
  const h: Harness = {
    url: `http://127.0.0.1:${admin.address.port}`,
    admin,
    callLog,
    reader,
    metrics,
    loaded,
    gatewayReady,
    async close() {
      await admin.close();
      await callLog.close();
      await proxies.close();
      reader.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}

/** Records through the call log and waits until the writer has stored them. */
export async function write(h: Harness, records: CallRecord[]): Promise<void> {
  const target = h.callLog.stats().written + records.length;
  for (const r of records) h.callLog.record(r);
  for (let i = 0; i < 300 && h.callLog.stats().written < target; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(h.callLog.stats().written, target, 'call log did not write the records in time');
}

export function get(h: Harness, path: string, init: RequestInit & { token?: string | null } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const token = init.token === undefined ? TOKEN : init.token;
  if (token !== null) headers.set('authorization', `Bearer ${token}`);
  return fetch(h.url + path, { ...init, headers });
}

export const ALL_PATHS = ['/health', '/ready', '/config', '/logs', '/logs?status=404', '/why/req_x', '/metrics', '/upstreams', '/nope', '/'];
