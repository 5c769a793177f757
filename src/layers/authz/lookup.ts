import { LRUCache } from 'lru-cache';
import { readPointer } from './json.ts';

/** What the owner service said about one resource. */
export type LookupAnswer =
  | { kind: 'found'; owner: string; cached: boolean }
  | { kind: 'not_found'; status: number; cached: boolean }
  | { kind: 'failed'; reason: string };

export interface LookupRequest {
  service: string;
  /** Base URLs of the service's upstreams, tried in order while one cannot be reached. */
  urls: readonly string[];
  /** The path with its parameters filled in (already percent-encoded). */
  path: string;
  field: readonly string[];
  cacheTtlMs: number;
  notFoundTtlMs: number;
  timeoutMs: number;
  /** explain / shadow: read the cache and ask, but store nothing. */
  dryRun: boolean;
}

/**
 * Ownership lookups with their cache. Long-lived: it belongs to the gateway (src/server/start.ts
 * passes one in the pipeline deps) so the cache survives config reloads; a layer compiled
 * without one makes its own.
 */
export interface OwnerLookups {
  owner(r: LookupRequest): Promise<LookupAnswer>;
  /** How many GETs went out (for tests and metrics). */
  readonly calls: number;
}

/** An ownership answer is a small JSON object; anything much larger is not one. */
const MAX_ANSWER_BYTES = 64 * 1024;

type Cached = { owner: string } | { status: number };

// The HTTP client is loaded at the first lookup, not with this module: validating a config (the
// CLI) compiles this layer and has no use for it.
let undici: Promise<typeof import('undici')> | undefined;

export function createOwnerLookups(opts: { maxEntries?: number } = {}): OwnerLookups {
  const cache = new LRUCache<string, Cached>({ max: opts.maxEntries ?? 10_000, ttlAutopurge: false });
  // Concurrent requests for the same resource share one GET.
  const inflight = new Map<string, Promise<LookupAnswer>>();
  let calls = 0;

  async function ask(r: LookupRequest): Promise<LookupAnswer> {
    let lastReason = 'no upstream';
    for (const base of r.urls) {
      calls++;
      try {
        const { request } = await (undici ??= import('undici'));
        const res = await request(base.replace(/\/$/, '') + r.path, {
          method: 'GET',
          headers: { accept: 'application/json' },
          headersTimeout: r.timeoutMs,
          bodyTimeout: r.timeoutMs,
          signal: AbortSignal.timeout(r.timeoutMs),
        });
        if (res.statusCode === 404 || res.statusCode === 410) {
          await res.body.dump();
          return { kind: 'not_found', status: res.statusCode, cached: false };
        }
        if (res.statusCode !== 200) {
          await res.body.dump();
          return { kind: 'failed', reason: `GET ${r.path} on service ${r.service} answered ${res.statusCode}` };
        }
        const text = await readLimited(res.body);
        if (text === undefined) return { kind: 'failed', reason: `the answer of GET ${r.path} exceeds ${MAX_ANSWER_BYTES} bytes` };
        let doc: unknown;
        try {
          doc = JSON.parse(text);
        } catch {
          return { kind: 'failed', reason: `the answer of GET ${r.path} is not JSON` };
        }
        const owner = readPointer(doc, r.field);
        if (typeof owner !== 'string' && typeof owner !== 'number') {
          return { kind: 'failed', reason: `the answer of GET ${r.path} has no text at /${r.field.join('/')}` };
        }
        return { kind: 'found', owner: String(owner), cached: false };
      } catch (err) {
        // Not reached, or no answer in time: try the next upstream (a GET is safe to repeat).
        lastReason = `GET ${r.path} on service ${r.service} failed: ${(err as Error).name === 'TimeoutError' ? `no answer within ${r.timeoutMs} ms` : (err as Error).message}`;
      }
    }
    return { kind: 'failed', reason: lastReason };
  }

  return {
    get calls() {
      return calls;
    },
    owner(r) {
      const key = `${r.service}\u0000${r.path}\u0000${r.field.join('/')}`;
      const hit = cache.get(key);
      if (hit) return Promise.resolve('owner' in hit ? { kind: 'found', owner: hit.owner, cached: true } : { kind: 'not_found', status: hit.status, cached: true });
      let pending = inflight.get(key);
      if (!pending) {
        pending = ask(r).then((a) => {
          inflight.delete(key);
          if (r.dryRun) return a;
          if (a.kind === 'found' && r.cacheTtlMs > 0) cache.set(key, { owner: a.owner }, { ttl: r.cacheTtlMs });
          if (a.kind === 'not_found' && r.notFoundTtlMs > 0) cache.set(key, { status: a.status }, { ttl: r.notFoundTtlMs });
          return a;
        });
        inflight.set(key, pending);
      }
      return pending;
    },
  };
}

async function readLimited(body: AsyncIterable<unknown> & { destroy(): void }): Promise<string | undefined> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > MAX_ANSWER_BYTES) {
      body.destroy();
      return undefined;
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
