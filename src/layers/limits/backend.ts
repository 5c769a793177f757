/**
 * The contract every limits backend keeps, so that one node (memory) and many nodes (Redis)
 * decide the same way: test/limits-backend-contract.test.ts runs one suite against both.
 *
 * A check is all-or-nothing: the request is admitted only when every cell admits it, and
 * then every cell is charged; a refused request charges nothing. A dry run (explain) reads
 * the same state and charges nothing either.
 */

/**
 * One counter a request is checked against.
 * rate: GCRA over a window (the limit is also the largest burst; see gcra.ts).
 * quota: a count per calendar period that resets at `resetAt` (ms since the epoch).
 */
export type Cell =
  | { kind: 'rate'; key: string; limit: number; windowMs: number; cost: number }
  | { kind: 'quota'; key: string; limit: number; resetAt: number; cost: number };

/** What a cell said. All times are whole milliseconds, rounded up. */
export interface CellOutcome {
  allowed: boolean;
  /** Units left after this request (when allowed) or now (when refused). */
  remaining: number;
  /** Units in use after this request (when allowed) or now (when refused). */
  used: number;
  /** Until the cell is back to its full allowance (rate) or the period ends (quota). */
  resetMs: number;
  /** When refused: the least wait after which this request would be admitted by this cell. */
  retryAfterMs: number;
}

/** A suspension as stored: who set it and why (never a secret). */
export interface SuspensionRecord {
  /** ms since the epoch */
  at: number;
  reason: string;
}

export interface CheckResult {
  /** The first suspension key that is set (checked before any counter), with its record. */
  suspended?: { index: number; record: SuspensionRecord };
  admitted: boolean;
  /** One outcome per cell, in order (empty when suspended). */
  cells: CellOutcome[];
}

export interface LimitBackend {
  readonly kind: 'memory' | 'redis';
  /**
   * Checks the suspension keys, then the cells; charges the cells when `charge` and all admit.
   * The memory backend answers synchronously; Redis in one round trip.
   */
  check(now: number, cells: readonly Cell[], suspensionKeys: readonly string[], charge: boolean): CheckResult | Promise<CheckResult>;
  suspend(key: string, record: SuspensionRecord): void | Promise<void>;
  /** Lifts a suspension; true when there was one. */
  lift(key: string): boolean | Promise<boolean>;
  /** Suspensions in force whose key starts with `prefix` (for operators). */
  suspensions(prefix: string): Map<string, SuspensionRecord> | Promise<Map<string, SuspensionRecord>>;
  /**
   * Corrects cells charged earlier by a check: each cell's `cost` is the signed difference
   * (real use minus what was charged), applied unconditionally (it already happened) and
   * atomically, never below empty: a rate cell's TAT never goes below `now`, a quota's count
   * never below 0. A quota whose period has ended (now >= resetAt) is left alone. Returns the
   * units in use after the correction, per cell (as CellOutcome.used). The AI layer settles
   * a reservation (estimated tokens and cost) with the real usage this way.
   */
  adjust(now: number, cells: readonly Cell[]): number[] | Promise<number[]>;
}

/** Parses a stored suspension record; a foreign value still counts as a suspension. */
export function parseSuspension(text: string): SuspensionRecord {
  try {
    const v = JSON.parse(text) as Partial<SuspensionRecord>;
    if (typeof v.at === 'number' && typeof v.reason === 'string') return { at: v.at, reason: v.reason };
  } catch {
    // fall through
  }
  return { at: 0, reason: text };
}
