// Denials over a period, grouped by layer, code, route, consumer, tenant and client address,
// with the groups that moved most against the period before (pinpoint report, GET /report);
// and the AI calls of the period (src/report/ai.ts).
import { DIMENSIONS, type CallAggregates, type Dimension } from '../calllog/aggregate.ts';
import { buildAiReport, type AiReport } from './ai.ts';

export interface ReportOptions {
  /** Epoch ms; the period is [from, to). The previous period has the same length and ends at from. */
  from: number;
  to: number;
  /** Time buckets of the sparklines. */
  buckets: number;
  /** Rows per dimension, and movers. */
  top: number;
  dimensions?: readonly Dimension[];
}

export interface GroupRow {
  key: string | null;
  count: number;
  previous: number;
  /** Denials per bucket over the period. */
  series: number[];
}

export interface Mover {
  dimension: Dimension;
  key: string | null;
  count: number;
  previous: number;
  change: number;
}

export interface Report {
  from: number;
  to: number;
  previousFrom: number;
  bucketMs: number;
  requests: number;
  denials: number;
  previousRequests: number;
  previousDenials: number;
  /** Denials per bucket. */
  series: number[];
  groups: Partial<Record<Dimension, GroupRow[]>>;
  /** The largest changes against the previous period, any dimension, largest first. */
  movers: Mover[];
  /** AI calls (serve: ai routes): present when this period or the one before has any. */
  ai?: AiReport;
}

const DENY = { outcome: 'deny' } as const;

export function buildReport(q: CallAggregates, opts: ReportOptions): Report {
  const length = opts.to - opts.from;
  const previousFrom = opts.from - length;
  const bucketMs = Math.max(1, Math.ceil(length / opts.buckets));
  const report: Report = {
    from: opts.from,
    to: opts.to,
    previousFrom,
    bucketMs,
    requests: q.count({}, opts.from, opts.to),
    denials: q.count(DENY, opts.from, opts.to),
    previousRequests: q.count({}, previousFrom, opts.from),
    previousDenials: q.count(DENY, previousFrom, opts.from),
    series: q.series(DENY, opts.from, bucketMs, opts.buckets).get(null) ?? new Array<number>(opts.buckets).fill(0),
    groups: {},
    movers: [],
  };
  const movers: Mover[] = [];
  for (const dimension of opts.dimensions ?? DIMENSIONS) {
    const now = q.groups(dimension, DENY, opts.from, opts.to);
    const before = new Map(q.groups(dimension, DENY, previousFrom, opts.from).map((g) => [g.key, g.count]));
    const series = q.series(DENY, opts.from, bucketMs, opts.buckets, dimension);
    report.groups[dimension] = now.slice(0, opts.top).map((g) => ({
      key: g.key,
      count: g.count,
      previous: before.get(g.key) ?? 0,
      series: series.get(g.key) ?? new Array<number>(opts.buckets).fill(0),
    }));
    const keys = new Set([...now.map((g) => g.key), ...before.keys()]);
    const current = new Map(now.map((g) => [g.key, g.count]));
    for (const key of keys) {
      const count = current.get(key) ?? 0;
      const previous = before.get(key) ?? 0;
      if (count !== previous) movers.push({ dimension, key, count, previous, change: count - previous });
    }
  }
  report.movers = movers
    .sort((a, b) => Math.abs(b.change) - Math.abs(a.change) || b.count - a.count)
    .slice(0, opts.top);
  const ai = buildAiReport(q, opts.from, opts.to, previousFrom);
  if (ai) report.ai = ai;
  return report;
}
