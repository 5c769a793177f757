// The two limits backends side by side for suites that must hold on both: the memory backend and
// the Redis backend on the real local Redis, each test under a key prefix of its own.
import { once } from 'node:events';
import type { LimitBackend } from '../../src/layers/limits/backend.ts';
import { MemoryBackend } from '../../src/layers/limits/memory-backend.ts';
import { openRedisClient, RedisBackend } from '../../src/layers/limits/redis-backend.ts';
import { REDIS_URL, redisPrefixes } from './redis-keys.ts';

export interface BothBackends {
  memory: MemoryBackend;
  redis: RedisBackend;
  /** [name, backend], memory first: `for (const [name, backend] of both.each)`. */
  each: [string, LimitBackend][];
  /** A new unique key prefix, deleted by close(). */
  fresh(): string;
  /** Resolves once the Redis client is connected (call in before()). */
  ready(): Promise<void>;
  /** Deletes the test keys and closes both (call in after()). */
  close(): Promise<void>;
}

export function bothBackends(clock: () => number): BothBackends {
  const memory = new MemoryBackend(clock);
  const client = openRedisClient({ url: REDIS_URL, connectTimeoutMs: 2000, commandTimeoutMs: 2000 }, () => {});
  const redis = new RedisBackend(client);
  const prefixes = redisPrefixes();
  return {
    memory,
    redis,
    each: [
      ['memory', memory],
      ['redis', redis],
    ],
    fresh: prefixes.fresh,
    async ready() {
      if (client.status !== 'ready') await once(client, 'ready');
    },
    async close() {
      memory.close();
      await prefixes.cleanup();
      await client.quit();
    },
  };
}
