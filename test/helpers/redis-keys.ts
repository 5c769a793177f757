// Tests against the real local Redis keep their keys under prefixes of their own, and delete them
// when they end, so that test files running at once never see each other's counters.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

export const REDIS_URL = 'redis://127.0.0.1:6379';

export interface RedisPrefixes {
  /** A new unique prefix ('pinpoint-test:<uuid>:'), deleted by cleanup(). */
  fresh(): string;
  /** Deletes every key under the prefixes handed out. */
  cleanup(): Promise<void>;
}

export function redisPrefixes(): RedisPrefixes {
  const prefixes: string[] = [];
  return {
    fresh() {
      const p = `pinpoint-test:${randomUUID()}:`;
      prefixes.push(p);
      return p;
    },
    async cleanup() {
      const admin = new Redis(REDIS_URL);
      try {
        for (const p of prefixes) {
          const keys = await admin.keys(p + '*');
          if (keys.length) await admin.del(...keys);
        }
      } finally {
        await admin.quit();
      }
    },
  };
}
