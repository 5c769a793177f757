import type { LimitBackend } from './backend.ts';
import { MemoryBackend } from './memory-backend.ts';
import { openRedisClient, RedisBackend, type RedisSettings } from './redis-backend.ts';

/**
 * What the limits layer needs from outside the config: its counters. They live here, in
 * the gateway's long-lived deps (src/server/start.ts), not in the compiled layer, so a
 * config reload keeps every count; the compiled layer holds only plans.
 */
export interface LimitsDeps {
  /** The one in-process backend. */
  memory: MemoryBackend;
  /** The Redis backend for these settings, connected on first use and kept across reloads. */
  redis(settings: RedisSettings): LimitBackend;
  /** ms since the epoch (tests move it). */
  clock(): number;
  /** Operational messages (Redis down and back). */
  report(message: string): void;
}

export interface OwnedLimitsDeps extends LimitsDeps {
  /** Resolves once every Redis client opened so far is connected, or failed to (bounded by its connect timeout). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export function createLimitsDeps(opts: { clock?: () => number; report?: (message: string) => void } = {}): OwnedLimitsDeps {
  const clock = opts.clock ?? Date.now;
  const report = opts.report ?? ((m: string) => process.stderr.write(m + '\n'));
  const memory = new MemoryBackend(clock);
  const clients = new Map<string, RedisBackend>();
  return {
    memory,
    clock,
    report,
    redis(s) {
      const id = JSON.stringify([s.url, s.password ?? '', s.connectTimeoutMs, s.commandTimeoutMs]);
      let backend = clients.get(id);
      if (!backend) {
        backend = new RedisBackend(openRedisClient(s, report));
        clients.set(id, backend);
      }
      return backend;
    },
    async ready() {
      await Promise.all(
        [...clients.values()].map(
          (b) =>
            new Promise<void>((resolve) => {
              if (b.client.status === 'ready') return resolve();
              const done = () => {
                b.client.off('ready', done);
                b.client.off('error', done);
                resolve();
              };
              b.client.once('ready', done);
              b.client.once('error', done);
            }),
        ),
      );
    },
    async close() {
      memory.close();
      await Promise.all([...clients.values()].map((b) => b.client.quit().catch(() => b.client.disconnect())));
      clients.clear();
    },
  };
}
