/**
 * The arithmetic of one cell, shared by the memory backend; check.lua does exactly the same
 * operations in the same order on the same doubles, so both backends agree to the bit.
 *
 * Rate windows use GCRA (the generic cell rate algorithm, a token bucket kept as one
 * number: the theoretical arrival time, TAT). Why GCRA rather than fixed or sliding windows:
 * - no burst at window edges: a fixed window lets `limit` through at the end of one window
 *   and `limit` more at the start of the next; with GCRA, in any span of d ms at most
 *   limit + d / T units pass (T = window / limit), so never more than `limit` at once;
 * - exact, not estimated (a sliding-window counter blends two windows and is approximate),
 *   and one number per key instead of a log of timestamps;
 * - weighted costs and Retry-After fall out exactly: a request of cost c fits when
 *   TAT + c·T − now ≤ window, and otherwise fits after exactly that excess.
 * Quotas are calendar counts (per UTC day or month) because that is what a plan promises.
 */
import type { CellOutcome } from './backend.ts';

/** Slack for float rounding in comparisons (ms), and in whole-unit counts. */
export const EPS_MS = 0.001;
const EPS_UNITS = 1e-6;

/** A rate cell: `tat` is the stored TAT or undefined. Returns the outcome and the TAT to store when charged. */
export function gcra(now: number, tat: number | undefined, limit: number, windowMs: number, cost: number): { outcome: CellOutcome; next: number } {
  const t = windowMs / limit;
  const base = tat === undefined ? now : Math.max(tat, now);
  const next = base + cost * t;
  if (next - now <= windowMs + EPS_MS) {
    const remaining = Math.max(0, Math.floor((windowMs - (next - now)) / t + EPS_UNITS));
    return { outcome: { allowed: true, remaining, used: limit - remaining, resetMs: Math.ceil(next - now), retryAfterMs: 0 }, next };
  }
  const remaining = Math.max(0, Math.floor((windowMs - (base - now)) / t + EPS_UNITS));
  return {
    outcome: { allowed: false, remaining, used: limit - remaining, resetMs: Math.ceil(base - now), retryAfterMs: Math.ceil(next - now - windowMs) },
    next: base,
  };
}

/** A quota cell: `count` is the stored count or undefined. */
export function quota(now: number, count: number | undefined, limit: number, resetAt: number, cost: number): CellOutcome {
  const c = count ?? 0;
  const resetMs = Math.max(0, Math.ceil(resetAt - now));
  if (c + cost <= limit) return { allowed: true, remaining: limit - c - cost, used: c + cost, resetMs, retryAfterMs: 0 };
  return { allowed: false, remaining: Math.max(0, limit - c), used: c, resetMs, retryAfterMs: resetMs };
}
