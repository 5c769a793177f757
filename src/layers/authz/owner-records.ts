import { LRUCache } from 'lru-cache';
import type { OwnerRecord, OwnerStore } from '../../store/owners.ts';

/** What the ownership records say about one resource. */
export type RecordAnswer = { kind: 'found'; record: OwnerRecord; cached: boolean } | { kind: 'missing'; cached: boolean } | { kind: 'failed'; reason: string };

/**
 * The ownership store as the gateway uses it: every call of OwnerStore, plus `find` for the
 * request path, which keeps answers in memory for the route's TTL. Long-lived, like the
 * ownership lookups: it belongs to the gateway (src/server/start.ts) so the cache survives
 * reloads. A write through it (the gateway's records, the admin API) drops the cached answer
 * of that resource at once; writes of another process (the CLI) are seen once the TTL ends.
 */
export interface OwnerRecords extends OwnerStore {
  find(resource: string, id: string, ttl: { foundMs: number; missingMs: number }, dryRun: boolean): Promise<RecordAnswer>;
  /** How many reads reached the store (for tests and metrics). */
  readonly reads: number;
}

export function createOwnerRecords(store: OwnerStore, opts: { maxEntries?: number } = {}): OwnerRecords {
  const cache = new LRUCache<string, OwnerRecord | false>({ max: opts.maxEntries ?? 10_000, ttlAutopurge: false });
  // Concurrent requests for the same resource share one read.
  const inflight = new Map<string, Promise<RecordAnswer>>();
  let reads = 0;
  // Bumped by every local write: a read that started before a write does not cache what it read.
  let writes = 0;
  const keyOf = (resource: string, id: string) => `${resource}\u0000${id}`;
  const forget = <T>(resource: string, id: string, p: Promise<T>): Promise<T> => {
    writes++;
    cache.delete(keyOf(resource, id));
    // Dropped again once written: a read between the two may have cached the old answer.
    return p.finally(() => {
      writes++;
      cache.delete(keyOf(resource, id));
    });
  };

  return {
    get reads() {
      return reads;
    },
    find(resource, id, ttl, dryRun) {
      const key = keyOf(resource, id);
      const hit = cache.get(key);
      if (hit !== undefined) return Promise.resolve(hit ? { kind: 'found', record: hit, cached: true } : { kind: 'missing', cached: true });
      let pending = inflight.get(key);
      if (!pending) {
        reads++;
        const started = writes;
        pending = store.getOwner(resource, id).then(
          (record): RecordAnswer => {
            inflight.delete(key);
            if (!dryRun && started === writes) {
              if (record && ttl.foundMs > 0) cache.set(key, record, { ttl: ttl.foundMs });
              if (!record && ttl.missingMs > 0) cache.set(key, false, { ttl: ttl.missingMs });
            }
            return record ? { kind: 'found', record, cached: false } : { kind: 'missing', cached: false };
          },
          (err: Error): RecordAnswer => {
            inflight.delete(key);
            return { kind: 'failed', reason: `reading the ownership record of ${resource} ${JSON.stringify(id)} failed: ${err.message}` };
          },
        );
        inflight.set(key, pending);
      }
      return pending;
    },
    getOwner: (resource, id) => store.getOwner(resource, id),
    recordOwner: (input) => forget(input.resource, input.id, store.recordOwner(input)),
    setOwner: (input) => forget(input.resource, input.id, store.setOwner(input)),
    deleteOwner: (resource, id, actor) => forget(resource, id, store.deleteOwner(resource, id, actor)),
    listOwners: (filter) => store.listOwners(filter),
    listOwnerAudit: (filter) => store.listOwnerAudit(filter),
    close: () => store.close(),
  };
}
