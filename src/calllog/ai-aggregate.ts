// The AI side of the call log's counting queries (src/calllog/aggregate.ts): filters on the
// `ai` column (JSON of src/ai/record.ts), counting provider hops one row each, and the AI
// figures of `pinpoint report` (calls, tokens, cost and time to first token per model alias
// and provider; provider hops by outcome and status).
import type Database from 'better-sqlite3';

/**
 * Which AI calls count. calls: every AI call; budget_warning: those whose record carries
 * budget warnings (a soft threshold crossed, a spend budget not charged, counters unreachable);
 * hops: every provider hop of every AI call (a fallback is one more); provider_failure: the
 * hops that failed on the provider's side (every outcome but ok and client_aborted).
 */
export type AiCount = 'calls' | 'budget_warning' | 'hops' | 'provider_failure';

export interface AiFilter {
  ai?: AiCount;
  /** Only AI calls of this model alias. */
  alias?: string;
  /** Only AI calls this provider answered; counting hops: only hops to this provider. */
  provider?: string;
}

export const AI_COLUMN = {
  alias: "json_extract(calls.ai, '$.alias')",
  provider: "json_extract(calls.ai, '$.provider')",
  hopProvider: "json_extract(hop.value, '$.provider')",
} as const;

const HOP_OUTCOME = "json_extract(hop.value, '$.outcome')";

export function countsHops(f: AiFilter): boolean {
  return f.ai === 'hops' || f.ai === 'provider_failure';
}

/** The FROM clause and the terms an AI filter adds (none for a filter without AI members). */
export function aiTerms(f: AiFilter): { from: string; hops: boolean; terms: string[]; args: string[] } {
  const hops = countsHops(f);
  const terms: string[] = [];
  const args: string[] = [];
  if (f.ai !== undefined || f.alias !== undefined || f.provider !== undefined) terms.push('calls.ai IS NOT NULL');
  if (f.ai === 'budget_warning') terms.push("json_array_length(calls.ai, '$.warnings') > 0");
  if (f.ai === 'provider_failure') terms.push(`${HOP_OUTCOME} NOT IN ('ok', 'client_aborted')`);
  if (f.alias !== undefined) {
    terms.push(`${AI_COLUMN.alias} = ?`);
    args.push(f.alias);
  }
  if (f.provider !== undefined) {
    terms.push(`${hops ? AI_COLUMN.hopProvider : AI_COLUMN.provider} = ?`);
    args.push(f.provider);
  }
  return { from: hops ? "calls, json_each(calls.ai, '$.hops') AS hop" : 'calls', hops, terms, args };
}

/** One model alias and the provider that answered its calls (null: none answered). */
export interface AiModelRow {
  alias: string;
  provider: string | null;
  calls: number;
  /** Calls that failed (the provider side, or the client went away). */
  errors: number;
  inputTokens: number;
  outputTokens: number;
  /** Calls whose usage the gateway counted itself (the provider sent none). */
  estimatedCalls: number;
  /** Of the calls' priced cost; unpriced calls are not in it. */
  costUsd: number;
  /** Calls with usage that could not be costed (no price): never counted as zero. */
  unpricedCalls: number;
  /** Time to first token, nearest rank over the calls that sent one. */
  ttftP50Ms?: number;
  ttftP95Ms?: number;
}

/** Provider hops of one provider ending in one outcome (and provider status, when it answered). */
export interface AiHopRow {
  provider: string;
  outcome: string;
  status: number | null;
  count: number;
}

export interface AiFigures {
  calls: number;
  models: AiModelRow[];
  hops: AiHopRow[];
}

const RANGE = 'calls.at >= ? AND calls.at < ? AND calls.ai IS NOT NULL';

export function aiFigures(db: Database.Database, from: number, to: number): AiFigures {
  const models = db
    .prepare(
      `SELECT ${AI_COLUMN.alias} AS alias, ${AI_COLUMN.provider} AS provider, COUNT(*) AS calls,
         SUM(calls.outcome = 'error') AS errors,
         TOTAL(json_extract(calls.ai, '$.usage.inputTokens')) AS inputTokens,
         TOTAL(json_extract(calls.ai, '$.usage.outputTokens')) AS outputTokens,
         SUM(json_extract(calls.ai, '$.usage.estimated') IS 1) AS estimatedCalls,
         TOTAL(json_extract(calls.ai, '$.costUsd')) AS costUsd,
         SUM(json_extract(calls.ai, '$.unpriced') IS 1 AND json_type(calls.ai, '$.usage') IS NOT NULL) AS unpricedCalls
       FROM calls WHERE ${RANGE} GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2`,
    )
    .all(from, to) as AiModelRow[];
  // Nearest-rank percentiles computed by SQLite (window functions), so that only two rows per
  // group come back however many calls the period holds.
  const ranks = db
    .prepare(
      `SELECT alias, provider, ttft, rn, n FROM (
         SELECT ${AI_COLUMN.alias} AS alias, ${AI_COLUMN.provider} AS provider, json_extract(calls.ai, '$.ttftMs') AS ttft,
           ROW_NUMBER() OVER (PARTITION BY ${AI_COLUMN.alias}, ${AI_COLUMN.provider} ORDER BY json_extract(calls.ai, '$.ttftMs')) AS rn,
           COUNT(*) OVER (PARTITION BY ${AI_COLUMN.alias}, ${AI_COLUMN.provider}) AS n
         FROM calls WHERE ${RANGE} AND json_extract(calls.ai, '$.ttftMs') IS NOT NULL)
       WHERE rn = (n + 1) / 2 OR rn = MAX(1, CAST((n * 95 + 99) / 100 AS INTEGER))`,
    )
    .all(from, to) as Array<{ alias: string; provider: string | null; ttft: number; rn: number; n: number }>;
  const byGroup = new Map(models.map((m) => [`${m.alias}\u0000${m.provider ?? ''}`, m]));
  for (const r of ranks) {
    const m = byGroup.get(`${r.alias}\u0000${r.provider ?? ''}`);
    if (!m) continue;
    if (r.rn === Math.floor((r.n + 1) / 2)) m.ttftP50Ms = r.ttft;
    if (r.rn === Math.max(1, Math.ceil((r.n * 95) / 100))) m.ttftP95Ms = r.ttft;
  }
  const hops = db
    .prepare(
      `SELECT ${AI_COLUMN.hopProvider} AS provider, ${HOP_OUTCOME} AS outcome, json_extract(hop.value, '$.status') AS status, COUNT(*) AS count
       FROM calls, json_each(calls.ai, '$.hops') AS hop WHERE ${RANGE} GROUP BY 1, 2, 3 ORDER BY 1, 4 DESC, 2, 3`,
    )
    .all(from, to) as AiHopRow[];
  return { calls: models.reduce((n, m) => n + m.calls, 0), models, hops };
}
