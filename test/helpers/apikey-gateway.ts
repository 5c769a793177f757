// A real gateway with routes protected by API keys, a real credential store file and an
// echoing upstream, for the end-to-end API key tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoredCall } from '../../src/calllog/types.ts';
import { openStore } from '../../src/store/index.ts';
import type { CredentialStore } from '../../src/store/types.ts';
import { loggedCall, startGateway, startUpstream, type TestGateway, type Upstream } from './servers.ts';

export const APIKEY_YAML = (upstream: string) => `
tenants:
  acme: {}
  frozen: { status: suspended, reason: unpaid invoices }
consumers:
  acme-app: { tenant: acme, roles: [buyer] }
  acme-banned: { tenant: acme, status: suspended, reason: scraping }
  frozen-app: { tenant: frozen }
services:
  orders: { upstreams: [{ url: "${upstream}" }] }
routes:
  - { id: orders, service: orders, paths: [/orders], methods: [GET, POST], authn: [apiKey] }
  - { id: export, service: orders, paths: [/export], methods: [GET], authn: [apiKey], apiKeyInQuery: true }
  - { id: health, service: orders, paths: [/health], methods: [GET] }
`;

export interface KeyWorld {
  gw: TestGateway;
  upstream: Upstream;
  store: CredentialStore;
  storeFile: string;
  /** Creates a key through the store; returns the plain key and its id. */
  key(consumer?: string, extra?: { expiresAt?: number; scopes?: string[] }): Promise<{ key: string; id: string }>;
  /** The call log entry of a response (waits for the writer). */
  logged(res: Response): Promise<StoredCall>;
  close(): Promise<void>;
}

export async function startKeyWorld(): Promise<KeyWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'pinpoint-keys-'));
  const storeFile = join(dir, 'store.db');
  const store = openStore(storeFile, { touchFlushMs: 100 });
  const upstream = await startUpstream();
  const gw = await startGateway(APIKEY_YAML(upstream.url), { store });
  return {
    gw,
    upstream,
    store,
    storeFile,
    async key(consumer = 'acme-app', extra = {}) {
      const issued = await store.createKey({ consumer, scopes: extra.scopes ?? ['orders:read'], expiresAt: extra.expiresAt, actor: 'test' });
      return { key: issued.key, id: issued.record.id };
    },
    logged: (res: Response) => loggedCall(gw, res.headers.get('x-request-id')!),
    async close() {
      await gw.close();
      await upstream.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
