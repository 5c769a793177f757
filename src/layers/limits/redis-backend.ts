import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { parseSuspension, type Cell, type CellOutcome, type CheckResult, type LimitBackend, type SuspensionRecord } from './backend.ts';

/**
 * Why a script of our own rather than a limiter library: rate-limiter-flexible (the
 * well-kept choice) counts fixed windows (INCR + PEXPIRE), which lets 2x the limit through
 * around a window edge, and checks each limiter in its own call, so a request refused by
 * its 1000/h window has already been charged by its 10/s window. What we need, GCRA over
 * several windows and a quota decided all-or-nothing in one round trip with the same
 * arithmetic as the memory backend, is the ~60 lines of check.lua.
 */
const CHECK_LUA = readFileSync(new URL('./check.lua', import.meta.url), 'utf8');
/** Corrections of charged cells (adjust), read-modify-write in one script for the same reason. */
const ADJUST_LUA = readFileSync(new URL('./adjust.lua', import.meta.url), 'utf8');

export interface RedisSettings {
  url: string;
  password?: string;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
}

type LimitClient = Redis & {
  pinpointLimitCheck(numKeys: number, ...args: (string | number)[]): Promise<unknown[]>;
  pinpointLimitAdjust(numKeys: number, ...args: (string | number)[]): Promise<unknown[]>;
};

/** A Redis URL with any password taken out, for messages. */
export function redactRedisUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, (_, userinfo: string) => `//${userinfo.includes(':') ? userinfo.split(':')[0] + ':***' : '***'}@`);
}

/**
 * Opens the client the redis backend uses: commands issued in the same tick go out in one
 * write (auto-pipelining), checks run as one EVALSHA (ioredis falls back to EVAL once after
 * a Redis restart flushed the script cache), and while Redis is unreachable commands fail
 * at once (no offline queue) so each policy's failMode applies without waiting.
 */
export function openRedisClient(s: RedisSettings, report: (message: string) => void): LimitClient {
  const client = new Redis(s.url, {
    password: s.password,
    connectTimeout: s.connectTimeoutMs,
    commandTimeout: s.commandTimeoutMs,
    enableOfflineQueue: false,
    enableAutoPipelining: true,
    maxRetriesPerRequest: 0,
    // Keep trying to reconnect, at most once a second.
    retryStrategy: (times) => Math.min(times * 100, 1000),
    lazyConnect: false,
  });
  client.defineCommand('pinpointLimitCheck', { lua: CHECK_LUA });
  client.defineCommand('pinpointLimitAdjust', { lua: ADJUST_LUA });
  let down = false;
  client.on('error', (err: Error) => {
    if (down) return;
    down = true;
    report(`limits: Redis at ${redactRedisUrl(s.url)} is unreachable (${err.message}); policies apply their failMode until it is back`);
  });
  client.on('ready', () => {
    if (down) report(`limits: Redis at ${redactRedisUrl(s.url)} is reachable again`);
    down = false;
  });
  return client as LimitClient;
}

/** Counters shared by every node that uses the same Redis and key prefix. */
export class RedisBackend implements LimitBackend {
  readonly kind = 'redis';

  constructor(readonly client: LimitClient) {}

  async check(now: number, cells: readonly Cell[], suspensionKeys: readonly string[], charge: boolean): Promise<CheckResult> {
    const args: (string | number)[] = [...suspensionKeys];
    for (const c of cells) args.push(c.key);
    args.push(now, charge ? 1 : 0, suspensionKeys.length);
    pushCells(args, cells);
    const reply = await this.client.pinpointLimitCheck(suspensionKeys.length + cells.length, ...args);
    const index = Number(reply[0]);
    if (index > 0) return { suspended: { index: index - 1, record: parseSuspension(String(reply[1])) }, admitted: false, cells: [] };
    const outcomes: CellOutcome[] = [];
    for (let i = 3; i < reply.length; i += 5) {
      outcomes.push({ allowed: reply[i] === 1, remaining: Number(reply[i + 1]), used: Number(reply[i + 2]), resetMs: Number(reply[i + 3]), retryAfterMs: Number(reply[i + 4]) });
    }
    return { admitted: reply[2] === 1, cells: outcomes };
  }

  async adjust(now: number, cells: readonly Cell[]): Promise<number[]> {
    if (cells.length === 0) return [];
    const args: (string | number)[] = cells.map((c) => c.key);
    args.push(now);
    pushCells(args, cells);
    const reply = await this.client.pinpointLimitAdjust(cells.length, ...args);
    return reply.map(Number);
  }

  async suspend(key: string, record: SuspensionRecord): Promise<void> {
    // NX: the first suspension's time and reason stay.
    await this.client.set(key, JSON.stringify(record), 'NX');
  }

  async lift(key: string): Promise<boolean> {
    return (await this.client.del(key)) > 0;
  }

  async suspensions(prefix: string): Promise<Map<string, SuspensionRecord>> {
    const found = new Map<string, SuspensionRecord>();
    let cursor = '0';
    do {
      const [next, keys] = await this.client.scan(cursor, 'MATCH', escapeGlob(prefix) + '*', 'COUNT', 200);
      cursor = next;
      for (const key of keys) {
        const v = await this.client.get(key);
        if (v !== null) found.set(key, parseSuspension(v));
      }
    } while (cursor !== '0');
    return found;
  }
}

/** Per cell: kind, limit, windowMs (rate) or resetAt (quota), cost; as check.lua and adjust.lua read them. */
function pushCells(args: (string | number)[], cells: readonly Cell[]): void {
  for (const c of cells) args.push(c.kind === 'rate' ? 'r' : 'q', c.limit, c.kind === 'rate' ? c.windowMs : c.resetAt, c.cost);
}

function escapeGlob(s: string): string {
  return s.replace(/[*?[\]\\]/g, '\\$&');
}
