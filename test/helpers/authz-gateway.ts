// A real gateway for the authorization tests: a real credential store file (API keys), a real
// call log file, a loopback upstream, and the authz deps the tests steer (the clock of time
// conditions, the ownership lookups whose GETs they count).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCallLog, openCallLogReader } from '../../src/calllog/index.ts';
import { callLogSettings } from '../../src/calllog/settings.ts';
import type { CallLogReader, StoredCall } from '../../src/calllog/types.ts';
import { loadConfigText } from '../../src/config/load.ts';
import { createOwnerLookups, createOwnerRecords, type OwnerLookups, type OwnerRecords } from '../../src/layers/authz/index.ts';
import { openOwnerStore } from '../../src/store/owners-sqlite.ts';
import { Gateway } from '../../src/server/gateway.ts';
import { openStore } from '../../src/store/index.ts';
import type { CredentialStore } from '../../src/store/types.ts';
import { startUpstream, type Upstream } from './upstream.ts';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface AuthzWorld {
  url: string;
  gateway: Gateway;
  upstream: Upstream;
  store: CredentialStore;
  /** The SQLite file of the store (keys and ownership records). */
  storeFile: string;
  lookups: OwnerLookups;
  /** The ownership records (owner.store, owner.record), in the store file. */
  owners: OwnerRecords;
  /** What the gateway reported (failed or refused ownership records). */
  reports: string[];
  /** The time the gateway's time conditions see; undefined = the real clock. */
  clock: { now?: number };
  /** Issues a key in the store (scopes default: none). */
  key(consumer: string, scopes?: string[]): Promise<string>;
  /** The call log entry of a response. */
  logged(res: Response): Promise<StoredCall>;
  close(): Promise<void>;
}

export interface CallOptions {
  key?: string;
  headers?: Record<string, string>;
  body?: unknown;
}

/** fetch with the key in X-API-Key and a JSON body when given. */
export function call(w: AuthzWorld, method: string, path: string, o: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { ...o.headers };
  if (o.key) headers['x-api-key'] = o.key;
  let body: string | undefined;
  if (o.body !== undefined) {
    body = typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
    headers['content-type'] ??= 'application/json';
  }
  return fetch(w.url + path, { method, headers, body });
}

/**
 * `yaml(upstreamUrl)` is the config. `upstreamHandler` replaces the echo (for ownership
 * lookups answered by the upstream itself).
 */
export async function startAuthzWorld(yaml: (upstream: string) => string, upstreamHandler?: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<AuthzWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'pinpoint-authz-'));
  const upstream = await startUpstream(upstreamHandler);
  const loaded = loadConfigText(yaml(upstream.url), 'authz-test.yaml');
  const logFile = join(dir, 'calls.db');
  const callLog = openCallLog({ ...callLogSettings(loaded.config, logFile), flushIntervalMs: 5 });
  const store = openStore(join(dir, 'store.db'), { touchFlushMs: 100 });
  const clock: { now?: number } = {};
  const lookups = createOwnerLookups();
  const owners = createOwnerRecords(openOwnerStore(join(dir, 'store.db')));
  const reports: string[] = [];
  const gateway = new Gateway({
    loaded,
    callLog,
    deps: { authn: { keys: store, passwords: store }, authz: { lookups, owners, report: (m) => reports.push(m), now: () => clock.now ?? Date.now() } },
  });
  const addr = await gateway.listen(0, '127.0.0.1');
  let reader: CallLogReader | undefined;
  return {
    url: `http://127.0.0.1:${addr.port}`,
    gateway,
    upstream,
    store,
    storeFile: join(dir, 'store.db'),
    lookups,
    owners,
    reports,
    clock,
    async key(consumer, scopes = []) {
      return (await store.createKey({ consumer, scopes, actor: 'test' })).key;
    },
    async logged(res) {
      const id = res.headers.get('x-request-id')!;
      for (let i = 0; i < 200; i++) {
        if (callLog.stats().queued === 0) {
          reader ??= openCallLogReader(logFile);
          const found = reader.get(id);
          if (found) return found;
        }
        await new Promise((r) => setTimeout(r, 15));
      }
      throw new Error(`request ${id} is not in the call log`);
    },
    async close() {
      await gateway.close();
      await callLog.close();
      reader?.close();
      await store.close();
      await owners.close();
      await upstream.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Asserts nothing itself: the problem body of a refusal, parsed. */
export async function problemOf(res: Response): Promise<Record<string, unknown>> {
  return (await res.json()) as Record<string, unknown>;
}
