// Counting queries over the call log for reports and alerts (src/report): how many calls of a
// kind in a time range, grouped by a column, in time buckets, and example request ids. A
// read-only connection of its own, safe while a gateway writes the file (WAL). Every query
// bounds `at`, so SQLite walks the calls_at index over the range only.
import Database from 'better-sqlite3';
import { aiFigures, aiTerms, AI_COLUMN, countsHops, type AiFigures, type AiFilter } from './ai-aggregate.ts';

export const DIMENSIONS = ['layer', 'code', 'route', 'consumer', 'tenant', 'client'] as const;
/** What counts can be grouped by: the denial dimensions, and an AI call's model alias and provider. */
export type Dimension = (typeof DIMENSIONS)[number] | 'alias' | 'provider';

const COLUMN: Record<Exclude<Dimension, 'provider'>, string> = {
  layer: 'calls.layer', code: 'calls.code', route: 'calls.route', consumer: 'calls.consumer', tenant: 'calls.tenant', client: 'calls.client_ip', alias: AI_COLUMN.alias,
};

/** Which calls count. `code` is exact, or a prefix ending in '.' ("authz."). */
export interface CallFilter extends AiFilter {
  outcome?: 'allow' | 'deny' | 'error';
  status?: number;
  code?: string;
  layer?: string;
  route?: string;
  method?: string;
  consumer?: string;
  tenant?: string;
  client?: string;
}

export interface GroupCount {
  key: string | null;
  count: number;
}

/** The FROM and WHERE of a filter; with ai hops, one row per provider hop of each call. */
function where(filter: CallFilter, from: number, to: number): { from: string; hops: boolean; sql: string; args: Array<string | number> } {
  const terms = ['calls.at >= ?', 'calls.at < ?'];
  const args: Array<string | number> = [from, to];
  const eq = (column: string, value: string | number | undefined) => {
    if (value === undefined) return;
    terms.push(`calls.${column} = ?`);
    args.push(value);
  };
  eq('outcome', filter.outcome);
  eq('status', filter.status);
  eq('layer', filter.layer);
  eq('route', filter.route);
  eq('method', filter.method?.toUpperCase());
  eq('consumer', filter.consumer);
  eq('tenant', filter.tenant);
  eq('client_ip', filter.client);
  if (filter.code !== undefined) {
    if (filter.code.endsWith('.')) {
      terms.push(`calls.code LIKE ? ESCAPE '\\'`);
      args.push(filter.code.replace(/[\\%_]/g, (c) => '\\' + c) + '%');
    } else eq('code', filter.code);
  }
  const ai = aiTerms(filter);
  return { from: ai.from, hops: ai.hops, sql: [...terms, ...ai.terms].join(' AND '), args: [...args, ...ai.args] };
}

/** The column a dimension groups by; the provider is the hop's when counting hops. */
function column(dimension: Dimension, filter: CallFilter): string {
  if (dimension === 'provider') return countsHops(filter) ? AI_COLUMN.hopProvider : AI_COLUMN.provider;
  return COLUMN[dimension];
}

export class CallAggregates {
  private readonly db: Database.Database;

  constructor(file: string) {
    this.db = new Database(file, { readonly: true, fileMustExist: true });
    this.db.pragma('busy_timeout = 5000');
  }

  count(filter: CallFilter, from: number, to: number): number {
    const w = where(filter, from, to);
    return this.db.prepare(`SELECT COUNT(*) FROM ${w.from} WHERE ${w.sql}`).pluck().get(...w.args) as number;
  }

  /** Counts per value of a column, largest first. */
  groups(dimension: Dimension, filter: CallFilter, from: number, to: number, limit = 1000): GroupCount[] {
    const w = where(filter, from, to);
    const c = column(dimension, filter);
    return this.db
      .prepare(`SELECT ${c} AS key, COUNT(*) AS count FROM ${w.from} WHERE ${w.sql} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ?`)
      .all(...w.args, limit) as GroupCount[];
  }

  /** Counts in `buckets` consecutive buckets of `bucketMs` from `from`; per value of a column when given. */
  series(filter: CallFilter, from: number, bucketMs: number, buckets: number, dimension?: Dimension): Map<string | null, number[]> {
    const w = where(filter, from, from + bucketMs * buckets);
    const key = dimension ? column(dimension, filter) : 'NULL';
    const rows = this.db
      .prepare(`SELECT ${key} AS key, (calls.at - ?) / ? AS bucket, COUNT(*) AS count FROM ${w.from} WHERE ${w.sql} GROUP BY 1, 2`)
      .all(from, bucketMs, ...w.args) as Array<{ key: string | null; bucket: number; count: number }>;
    const out = new Map<string | null, number[]>();
    for (const r of rows) {
      let line = out.get(r.key);
      if (!line) out.set(r.key, (line = new Array<number>(buckets).fill(0)));
      const b = Math.min(buckets - 1, Math.max(0, Math.floor(r.bucket)));
      line[b]! += r.count;
    }
    return out;
  }

  /** Request ids of matching calls, newest first. */
  examples(filter: CallFilter, from: number, to: number, limit: number): string[] {
    const w = where(filter, from, to);
    // Counting hops, a call can match more than once: its id is quoted once.
    const once = w.hops ? ' GROUP BY calls.row_id' : '';
    return this.db
      .prepare(`SELECT calls.request_id FROM ${w.from} WHERE ${w.sql}${once} ORDER BY calls.at DESC, calls.row_id DESC LIMIT ?`)
      .pluck()
      .all(...w.args, limit) as string[];
  }

  /** Allowed calls per credential label (`pk_AbCd…`), route and method: what each credential was used for. */
  credentialUse(from: number, to: number): Array<{ credential: string; route: string; method: string; count: number }> {
    return this.db
      .prepare(
        `SELECT json_extract(decision, '$.credential') AS credential, route, method, COUNT(*) AS count FROM calls
         WHERE at >= ? AND at < ? AND outcome = 'allow' AND route IS NOT NULL GROUP BY 1, 2, 3 HAVING credential IS NOT NULL`,
      )
      .all(from, to) as Array<{ credential: string; route: string; method: string; count: number }>;
  }

  /** Decisions with this code per rule id. */
  ruleHits(code: string, from: number, to: number): Map<string, number> {
    const rows = this.db
      .prepare(`SELECT json_extract(decision, '$.rule.id') AS rule, COUNT(*) AS count FROM calls WHERE code = ? AND at >= ? AND at < ? GROUP BY 1`)
      .all(code, from, to) as Array<{ rule: string | null; count: number }>;
    return new Map(rows.filter((r) => r.rule !== null).map((r) => [r.rule!, r.count]));
  }

  /** AI calls in a period by model alias and provider, and the provider hops by outcome (src/calllog/ai-aggregate.ts). */
  ai(from: number, to: number): AiFigures {
    return aiFigures(this.db, from, to);
  }

  /** The time of the oldest call in the log, if any: how far back usage can be judged. */
  oldest(): number | undefined {
    return (this.db.prepare('SELECT MIN(at) FROM calls').pluck().get() as number | null) ?? undefined;
  }

  close(): void {
    this.db.close();
  }
}
