import type { Cell, CellOutcome, CheckResult, LimitBackend, SuspensionRecord } from './backend.ts';
import { gcra, quota } from './gcra.ts';

/** Slack for float rounding in whole-unit counts (as gcra.ts). */
const EPS_UNITS = 1e-6;

interface Entry {
  value: number;
  /** ms since the epoch after which the entry means nothing and may be dropped */
  expires: number;
}

/** How often expired counters are swept (they are also ignored when read). */
const SWEEP_MS = 30_000;

/**
 * Counters in this process, for one node. Synchronous (a check is a few Map lookups), and
 * JavaScript runs one check at a time, so concurrent requests can never be over-admitted.
 * The instance lives in the gateway's deps, so counters survive config reloads; they do
 * not survive a restart, and nor do suspensions kept here.
 */
export class MemoryBackend implements LimitBackend {
  readonly kind = 'memory';
  private readonly counters = new Map<string, Entry>();
  private readonly suspended = new Map<string, SuspensionRecord>();
  /** Started by the first charge, so a backend that never counts (a config being checked) holds no timer. */
  private sweeper: NodeJS.Timeout | undefined;

  constructor(private readonly clock: () => number = Date.now) {}

  check(now: number, cells: readonly Cell[], suspensionKeys: readonly string[], charge: boolean): CheckResult {
    for (let i = 0; i < suspensionKeys.length; i++) {
      const record = this.suspended.get(suspensionKeys[i]);
      if (record) return { suspended: { index: i, record }, admitted: false, cells: [] };
    }
    const outcomes: CellOutcome[] = new Array(cells.length);
    const nexts: number[] = new Array(cells.length);
    // The entries found, updated in place when charged: no second lookup, no new object per request.
    const entries: Array<Entry | undefined> = new Array(cells.length);
    let admitted = true;
    for (let i = 0; i < cells.length; i++) {
      const cell = cells[i];
      const entry = this.counters.get(cell.key);
      entries[i] = entry;
      const stored = entry && entry.expires > now ? entry.value : undefined;
      if (cell.kind === 'rate') {
        const r = gcra(now, stored, cell.limit, cell.windowMs, cell.cost);
        outcomes[i] = r.outcome;
        nexts[i] = r.next;
      } else {
        outcomes[i] = quota(now, stored, cell.limit, cell.resetAt, cell.cost);
      }
      if (!outcomes[i].allowed) admitted = false;
    }
    if (admitted && charge) {
      if (!this.sweeper) {
        this.sweeper = setInterval(() => this.sweep(this.clock()), SWEEP_MS);
        this.sweeper.unref();
      }
      for (let i = 0; i < cells.length; i++) {
        const cell = cells[i];
        const value = cell.kind === 'rate' ? nexts[i] : outcomes[i].used;
        const expires = cell.kind === 'rate' ? nexts[i] : cell.resetAt;
        const entry = entries[i];
        if (entry) {
          entry.value = value;
          entry.expires = expires;
        } else this.counters.set(cell.key, { value, expires });
      }
    }
    return { admitted, cells: outcomes };
  }

  adjust(now: number, cells: readonly Cell[]): number[] {
    const used: number[] = new Array(cells.length);
    for (let i = 0; i < cells.length; i++) {
      const cell = cells[i];
      const stored = this.read(cell.key, now);
      if (cell.kind === 'rate') {
        const r = gcraAdjust(now, stored, cell.limit, cell.windowMs, cell.cost);
        if (r.next === undefined) this.counters.delete(cell.key);
        else this.counters.set(cell.key, { value: r.next, expires: r.next });
        used[i] = r.used;
      } else if (now >= cell.resetAt) {
        used[i] = 0;
      } else {
        const count = Math.max(0, (stored ?? 0) + cell.cost);
        if (count === 0) this.counters.delete(cell.key);
        else this.counters.set(cell.key, { value: count, expires: cell.resetAt });
        used[i] = count;
      }
    }
    return used;
  }

  suspend(key: string, record: SuspensionRecord): void {
    if (!this.suspended.has(key)) this.suspended.set(key, record);
  }

  lift(key: string): boolean {
    return this.suspended.delete(key);
  }

  suspensions(prefix: string): Map<string, SuspensionRecord> {
    return new Map([...this.suspended].filter(([k]) => k.startsWith(prefix)));
  }

  /** Counters held now (for tests of the sweep and for metrics). */
  get size(): number {
    return this.counters.size;
  }

  sweep(now: number): void {
    for (const [k, e] of this.counters) if (e.expires <= now) this.counters.delete(k);
  }

  close(): void {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  private read(key: string, now: number): number | undefined {
    const e = this.counters.get(key);
    return e && e.expires > now ? e.value : undefined;
  }
}

/**
 * A rate cell corrected by `delta` units (signed): the TAT to store (undefined: the cell is
 * empty) and the units in use after. adjust.lua does the same operations.
 */
export function gcraAdjust(now: number, tat: number | undefined, limit: number, windowMs: number, delta: number): { next: number | undefined; used: number } {
  const t = windowMs / limit;
  const base = tat === undefined ? now : Math.max(tat, now);
  const next = Math.max(now, base + delta * t);
  if (next <= now) return { next: undefined, used: 0 };
  const remaining = Math.max(0, Math.floor((windowMs - (next - now)) / t + EPS_UNITS));
  return { next, used: limit - remaining };
}
