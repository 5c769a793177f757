import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCallLog, openCallLogReader } from '../../src/calllog/index.ts';
import { callLogSettings } from '../../src/calllog/settings.ts';
import type { CallLog, CallLogReader, StoredCall } from '../../src/calllog/types.ts';
import { loadConfigText } from '../../src/config/load.ts';
import { Gateway } from '../../src/server/gateway.ts';
import { NO_DEPS } from '../../src/pipeline/order.ts';
import type { CredentialStore } from '../../src/store/types.ts';
import type { LimitsDeps } from '../../src/layers/limits/deps.ts';

export { startUpstream, type Upstream } from './upstream.ts';

export interface TestGateway {
  url: string;
  port: number;
  gateway: Gateway;
  callLog: CallLog;
  /** Flushes the call log and opens a reader on it. */
  reader(): Promise<CallLogReader>;
  dir: string;
  /** The call log SQLite file. */
  logFile: string;
  close(): Promise<void>;
}

/**
 * A real gateway on an ephemeral loopback port, from YAML text, logging to a temp SQLite file.
 * With a store, routes with `authn: [apiKey]` check keys against it (the caller closes it).
 * With limits deps, the limits layer counts there (the caller closes them).
 */
export async function startGateway(yaml: string, opts: { store?: CredentialStore; limits?: LimitsDeps } = {}): Promise<TestGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'pinpoint-test-'));
  const loaded = loadConfigText(yaml, 'test.yaml');
  const file = join(dir, 'calls.db');
  const callLog = openCallLog({ ...callLogSettings(loaded.config, file), flushIntervalMs: 5 });
  const authn = opts.store ? { keys: opts.store, passwords: opts.store } : NO_DEPS.authn;
  // With limits deps (the caller closes them), counters live there as in start.ts.
  const deps = opts.store || opts.limits ? { authn, limits: opts.limits } : undefined;
  const gateway = new Gateway({ loaded, callLog, deps });
  const addr = await gateway.listen(0, '127.0.0.1');
  const readers: CallLogReader[] = [];
  return {
    url: `http://127.0.0.1:${addr.port}`,
    port: addr.port,
    gateway,
    callLog,
    dir,
    logFile: file,
    async reader() {
      await waitForFlush(callLog);
      const r = openCallLogReader(file);
      readers.push(r);
      return r;
    },
    async close() {
      await gateway.close();
      await callLog.close();
      for (const r of readers) r.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The call log entry of a request id, once the writer has stored it. */
export async function loggedCall(gw: TestGateway, requestId: string): Promise<StoredCall> {
  const reader = await gw.reader();
  for (let i = 0; i < 200; i++) {
    const call = reader.get(requestId);
    if (call) return call;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`request ${requestId} is not in the call log`);
}

async function waitForFlush(log: CallLog): Promise<void> {
  for (let i = 0; i < 200 && log.stats().queued > 0; i++) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 30));
}
