import { hash } from 'node:crypto';

/**
 * A bounded LRU of token checks, keyed by a hash of the whole token (never the token itself,
 * and never a part of it: a cached signature must not vouch for a different payload).
 * A Map keeps insertion order, so re-inserting on a hit makes the first key the least
 * recently used one.
 */
export class TokenCache<T> {
  private readonly entries = new Map<string, { value: T; until: number }>();

  constructor(private readonly maxEntries: number) {}

  /** The key of a token: SHA-256, base64. */
  static key(token: string): string {
    return hash('sha256', token, 'base64');
  }

  get(key: string, now: number): T | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    this.entries.delete(key);
    if (e.until <= now) return undefined;
    this.entries.set(key, e);
    return e.value;
  }

  /** Keeps the value until `until` (epoch ms); nothing is kept when that is not in the future. */
  set(key: string, value: T, until: number, now: number): void {
    if (until <= now || this.maxEntries === 0) return;
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { value, until });
  }

  get size(): number {
    return this.entries.size;
  }
}
