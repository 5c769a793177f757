/**
 * AI budgets on the limits counters: per minute requests and tokens as GCRA rate cells, spend
 * as a calendar quota cell in micro-dollars, all checked and charged in one atomic backend
 * check (memory, or one Redis script), so that concurrent calls on several nodes can never
 * both take the last of a budget. A call reserves its estimate (prompt tokens plus the most
 * output it may produce, and what that would cost at the dearest of its alias's targets); the
 * serving step settles the reservation with the real usage (LimitBackend.adjust).
 */
import type { AiCallState } from '../../ai/call-state.ts';
import type { Identity } from '../authn/types.ts';
import type { Cell, CellOutcome, LimitBackend } from '../limits/backend.ts';
import type { Period } from '../limits/period.ts';
import type { Usage } from '../../ai/types.ts';
import { MINUTE_MS, type AiRouteLayerPlan, type BudgetPlan } from './compile.ts';

export type BudgetKind = 'requests' | 'tokens' | 'spend';

/** What the layer knows about one cell besides what the backend needs. */
export interface BudgetCell {
  budget: BudgetPlan;
  kind: BudgetKind;
  /** The caller's value of the budget's key (a key label, consumer or tenant name). */
  who: string;
  /** The cell's limit, in its unit (requests, tokens, micro-dollars). */
  limit: number;
  cost: number;
  period?: Period;
}

export interface BudgetCells {
  cells: Cell[];
  infos: BudgetCell[];
  /** Budgets with a spend limit this call could not be charged against: no target of its model has a price. */
  uncosted: BudgetPlan[];
}

/** Micro-dollars, the spend counters' unit: a cost is rounded up, never down to a free call. */
export function micros(usd: number): number {
  return Math.ceil(usd * 1e6 - 1e-9);
}

/**
 * The cells a call is checked against: each budget of its route that applies to the caller
 * (a budget per tenant does not apply to a consumer without one), one cell per limit it sets.
 */
export function budgetCells(route: AiRouteLayerPlan, id: Identity | undefined, now: number, tokens: number, costUsd: number | undefined): BudgetCells {
  const cells: Cell[] = [];
  const infos: BudgetCell[] = [];
  const uncosted: BudgetPlan[] = [];
  if (!id) return { cells, infos, uncosted };
  for (const b of route.budgets) {
    const who = b.per === 'key' ? id.credential : b.per === 'consumer' ? id.consumer : id.tenant;
    if (who === undefined) continue;
    const suffix = encodeURIComponent(who);
    if (b.requests) {
      cells.push({ kind: 'rate', key: b.requests.keyBase + suffix, limit: b.requests.perMinute, windowMs: MINUTE_MS, cost: 1 });
      infos.push({ budget: b, kind: 'requests', who, limit: b.requests.perMinute, cost: 1 });
    }
    if (b.tokens) {
      cells.push({ kind: 'rate', key: b.tokens.keyBase + suffix, limit: b.tokens.perMinute, windowMs: MINUTE_MS, cost: tokens });
      infos.push({ budget: b, kind: 'tokens', who, limit: b.tokens.perMinute, cost: tokens });
    }
    const s = b.spend;
    if (s) {
      if (costUsd === undefined) {
        uncosted.push(b);
        continue;
      }
      const period = s.clock.at(now);
      const cost = micros(costUsd);
      cells.push({ kind: 'quota', key: `${s.keyBase}${period.id}:${suffix}`, limit: s.limitMicros, resetAt: period.end, cost });
      infos.push({ budget: b, kind: 'spend', who, limit: s.limitMicros, cost, period });
    }
  }
  return { cells, infos, uncosted };
}

/** The first cell this call alone is larger than: no wait and no reset could ever admit it. */
export function overWholeLimit(infos: readonly BudgetCell[]): number {
  return infos.findIndex((i) => i.cost > i.limit);
}

/** The reservation a call holds, for settle. */
export interface Reservation {
  backend: LimitBackend;
  cells: readonly Cell[];
  infos: readonly BudgetCell[];
  /** Units in use of each cell right after the reservation (CellOutcome.used). */
  outcomes: readonly CellOutcome[];
  tokens: number;
  costMicros?: number;
  clock: () => number;
  report: (message: string) => void;
}

/**
 * The settle function left on ctx.ai: corrects the token and spend cells by real minus
 * reserved (undefined usage: the call reached no provider, everything reserved goes back; a
 * request stays counted), exactly once. A spend budget the real cost took over its soft
 * threshold is noted in state.warnings. Never throws: a backend that fails is reported.
 */
export function settler(r: Reservation, state: AiCallState): (usage: Usage | undefined, costUsd: number | undefined) => void | Promise<void> {
  let done = false;
  return (usage, costUsd) => {
    if (done) return;
    done = true;
    const realTokens = usage ? usage.inputTokens + usage.outputTokens : 0;
    if (usage && costUsd === undefined && r.costMicros !== undefined) {
      state.unpriced = true;
      state.warnings.push(`the target that answered has no price: the spend reserved (${usd(r.costMicros)}) was given back and the call not charged to ${spendNames(r.infos)}`);
    }
    const realMicros = usage && costUsd !== undefined ? micros(costUsd) : 0;
    const cells: Cell[] = [];
    const which: number[] = [];
    r.infos.forEach((info, i) => {
      if (info.kind === 'requests') return;
      const delta = info.kind === 'tokens' ? realTokens - r.tokens : realMicros - (r.costMicros ?? 0);
      // A spend cell with a soft threshold is read even unchanged, to tell whether this call crossed it.
      if (delta === 0 && !(info.kind === 'spend' && info.budget.spend!.softAt !== undefined)) return;
      cells.push({ ...r.cells[i], cost: delta });
      which.push(i);
    });
    if (cells.length === 0) return;
    const softCheck = (used: number[]) => {
      used.forEach((after, j) => {
        const info = r.infos[which[j]];
        const soft = info.budget.spend?.softAt;
        if (info.kind !== 'spend' || soft === undefined) return;
        const threshold = info.limit * soft;
        if (after >= threshold && after - realMicros < threshold) state.warnings.push(softWarning(info, after, soft));
      });
    };
    const failed = (err: unknown) => r.report(`ai: could not settle the budgets of a call (${err instanceof Error ? err.message : String(err)}); its reservation stays charged until the counters expire`);
    try {
      const used = r.backend.adjust(r.clock(), cells);
      if (used instanceof Promise) return used.then(softCheck, failed);
      softCheck(used);
    } catch (err) {
      failed(err);
    }
  };
}

function spendNames(infos: readonly BudgetCell[]): string {
  return [...new Set(infos.filter((i) => i.kind === 'spend').map((i) => `${i.budget.name} (per ${i.budget.per} ${i.who})`))].join(', ');
}

function softWarning(info: BudgetCell, used: number, soft: number): string {
  const s = info.budget.spend!;
  return `budget ${info.budget.name} (per ${info.budget.per} ${info.who}) passed its soft threshold of ${Math.round(soft * 100)}%: ${usd(used)} of ${usd(s.limitMicros)} per UTC ${s.period} used`;
}

/** Dollars from micro-dollars: cents, or more digits for amounts under a dollar that need them. */
export function usd(microUsd: number): string {
  const dollars = microUsd / 1e6;
  if (dollars >= 1 || microUsd % 10_000 === 0) return `$${dollars.toFixed(2)}`;
  return `$${dollars.toFixed(6).replace(/0+$/, '')}`;
}
