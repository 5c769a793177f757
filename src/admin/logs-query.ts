import type { LogFilter } from '../calllog/types.ts';

export const MAX_LIMIT = 1000;
export const DEFAULT_LIMIT = 100;
/** Longest accepted value of any query parameter. */
export const MAX_PARAM_LENGTH = 256;

const PARAMS = ['status', 'code', 'layer', 'route', 'consumer', 'outcome', 'model', 'since', 'after', 'limit'] as const;
const OUTCOMES: ReadonlySet<string> = new Set(['allow', 'deny', 'error']);
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * When `since` starts: epoch milliseconds (1717430400000), an ISO time (2024-06-03T16:00:00Z)
 * or a duration back from `now` (30s, 10m, 2h, 1d).
 */
export function parseSince(raw: string, now: number): number | undefined {
  if (/^\d{1,15}$/.test(raw)) return Number(raw);
  const rel = /^(\d{1,9})([smhd])$/.exec(raw);
  if (rel) return now - Number(rel[1]) * UNIT_MS[rel[2]!]!;
  if (/^\d{4}-\d{2}-\d{2}/.test(raw)) {
    const t = Date.parse(raw);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}

/** The /logs query string as a call log filter; unknown, repeated or malformed parameters are refused. */
export function parseLogsQuery(q: URLSearchParams, now = Date.now()): Parsed<LogFilter> {
  const filter: LogFilter = { limit: DEFAULT_LIMIT };
  const seen = new Set<string>();
  for (const [name, value] of q) {
    if (!(PARAMS as readonly string[]).includes(name)) return fail(`unknown parameter "${name.slice(0, 40)}"; known: ${PARAMS.join(', ')}`);
    if (seen.has(name)) return fail(`parameter "${name}" is given more than once`);
    seen.add(name);
    if (value.length > MAX_PARAM_LENGTH) return fail(`parameter "${name}" is longer than ${MAX_PARAM_LENGTH} characters`);
    switch (name) {
      case 'status': {
        if (!/^[1-5]\d\d$/.test(value)) return fail('status is an HTTP status from 100 to 599');
        filter.status = Number(value);
        break;
      }
      case 'outcome': {
        if (!OUTCOMES.has(value)) return fail('outcome is allow, deny or error');
        filter.outcome = value as LogFilter['outcome'];
        break;
      }
      case 'since': {
        const t = parseSince(value, now);
        if (t === undefined) return fail('since is epoch milliseconds, an ISO time, or a duration such as 30s, 10m, 2h, 1d');
        filter.since = t;
        break;
      }
      case 'after': {
        if (!/^\d{1,15}$/.test(value)) return fail('after is a row id (a non-negative integer)');
        filter.afterRowId = Number(value);
        break;
      }
      case 'limit': {
        if (!/^\d{1,7}$/.test(value) || Number(value) < 1 || Number(value) > MAX_LIMIT) return fail(`limit is an integer from 1 to ${MAX_LIMIT}`);
        filter.limit = Number(value);
        break;
      }
      default:
        if (value === '') return fail(`parameter "${name}" is empty`);
        filter[name as 'code' | 'layer' | 'route' | 'consumer' | 'model'] = value;
    }
  }
  return { ok: true, value: filter };
}

function fail(error: string): Parsed<never> {
  return { ok: false, error };
}
