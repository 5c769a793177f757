// The AI part of the report (pinpoint report, GET /report): per model alias and the provider
// that answered, calls, tokens in and out, cost and time to first token; per provider, its
// hops and how they failed (outcome and status), with the failure rate.
import type { AiHopRow, AiModelRow } from '../calllog/ai-aggregate.ts';
import type { CallAggregates } from '../calllog/aggregate.ts';

export interface AiProviderRow {
  provider: string;
  /** Calls made to this provider (a fallback is one more call). */
  hops: number;
  /** Hops that failed on the provider's side (not ok, and not the client going away). */
  failed: number;
  /** failed / hops, in percent, one decimal. */
  failurePercent: number;
  /** The failed hops by failure class and provider status (none: no answer, e.g. a timeout), largest first. */
  failures: Array<{ outcome: string; status: number | null; count: number }>;
}

export interface AiTotals {
  calls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  unpricedCalls: number;
}

export interface AiReport {
  totals: AiTotals;
  previous: AiTotals;
  models: AiModelRow[];
  providers: AiProviderRow[];
}

/** The AI figures of [from, to) and the totals of the period before; undefined when neither has an AI call. */
export function buildAiReport(q: CallAggregates, from: number, to: number, previousFrom: number): AiReport | undefined {
  const now = q.ai(from, to);
  const before = q.ai(previousFrom, from);
  if (now.calls === 0 && before.calls === 0) return undefined;
  return { totals: totals(now.models), previous: totals(before.models), models: now.models, providers: providers(now.hops) };
}

function totals(models: readonly AiModelRow[]): AiTotals {
  const t: AiTotals = { calls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0, unpricedCalls: 0 };
  for (const m of models) {
    t.calls += m.calls;
    t.inputTokens += m.inputTokens;
    t.outputTokens += m.outputTokens;
    t.costUsd += m.costUsd;
    t.unpricedCalls += m.unpricedCalls;
  }
  return t;
}

const NOT_FAILED = new Set(['ok', 'client_aborted']);

function providers(hops: readonly AiHopRow[]): AiProviderRow[] {
  const rows = new Map<string, AiProviderRow>();
  for (const h of hops) {
    let row = rows.get(h.provider);
    if (!row) rows.set(h.provider, (row = { provider: h.provider, hops: 0, failed: 0, failurePercent: 0, failures: [] }));
    row.hops += h.count;
    if (NOT_FAILED.has(h.outcome)) continue;
    row.failed += h.count;
    row.failures.push({ outcome: h.outcome, status: h.status, count: h.count });
  }
  const out = [...rows.values()];
  for (const r of out) {
    r.failurePercent = Math.round((r.failed / r.hops) * 1000) / 10;
    r.failures.sort((a, b) => b.count - a.count);
  }
  return out.sort((a, b) => b.failed - a.failed || b.hops - a.hops || a.provider.localeCompare(b.provider));
}
