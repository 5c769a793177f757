// A gateway started the way `pinpoint start` starts one (startPinpoint) from a config file in a
// temp directory, with an echoing upstream, for the key management tests (CLI and admin API).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPinpoint, type Running } from '../../src/server/start.ts';
import { startUpstream, type Upstream } from './servers.ts';

export const ADMIN_TOKEN_ENV = 'PINPOINT_TEST_KEYS_ADMIN_TOKEN';
export const ADMIN_TOKEN = 'keys-admin-token-0123456789abcdef0123456789';

export interface PinpointDir {
  dir: string;
  configPath: string;
  running: Running;
  upstream: Upstream;
  url: string;
  adminUrl: string;
  close(): Promise<void>;
}

export async function startPinpointDir(): Promise<PinpointDir> {
  const dir = mkdtempSync(join(tmpdir(), 'pinpoint-keys-dir-'));
  const upstream = await startUpstream();
  const configPath = join(dir, 'pinpoint.yaml');
  writeFileSync(
    configPath,
    `
admin: { tokenEnv: ${ADMIN_TOKEN_ENV} }
log: { file: data/calls.db, flushIntervalMs: 5 }
store: { file: data/keys.db }
tenants:
  acme: {}
consumers:
  acme-app: { tenant: acme }
  acme-batch: { tenant: acme }
services:
  orders: { upstreams: [{ url: "${upstream.url}" }] }
routes:
  - { id: orders, service: orders, paths: [/orders], methods: [GET, POST], authn: [apiKey] }
`,
  );
  process.env[ADMIN_TOKEN_ENV] = ADMIN_TOKEN;
  const running = await startPinpoint({ configPath, port: 0, adminPort: 0, watch: false, report: () => {} });
  return {
    dir,
    configPath,
    running,
    upstream,
    url: `http://127.0.0.1:${running.gatewayAddress.port}`,
    adminUrl: `http://127.0.0.1:${running.adminAddress!.port}`,
    async close() {
      await running.close();
      await upstream.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls until `check` holds; fails after timeoutMs. Returns the time it took. */
export async function eventually(check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    if (await check()) return Date.now() - t0;
    if (Date.now() - t0 > timeoutMs) throw new Error(`not true within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
