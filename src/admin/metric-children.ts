import { Counter, type Registry } from 'prom-client';

/** Label combinations per metric beyond which new ones fold into one `_overflow` series. */
export const MAX_SERIES_PER_METRIC = 5000;
export const OVERFLOW = '_overflow';

/**
 * Label-bound children of one metric, created once per label combination and reused:
 * `metric.labels(...)` validates and copies its arguments, too much to redo per request.
 * The count of combinations is bounded so a flood of odd values cannot grow memory.
 */
export class Children<T> {
  private readonly map = new Map<string, T>();
  private overflow: T | undefined;

  constructor(private readonly bind: (...values: string[]) => T, private readonly arity: number) {}

  get(key: string): T | undefined {
    return this.map.get(key);
  }

  /** The child of these label values (bound on first use). */
  of(...values: string[]): T {
    const key = values.join(SEP);
    return this.map.get(key) ?? this.add(key, ...values);
  }

  add(key: string, ...values: string[]): T {
    if (this.map.size >= MAX_SERIES_PER_METRIC) {
      this.overflow ??= this.bind(...new Array<string>(this.arity).fill(OVERFLOW));
      return this.overflow;
    }
    const child = this.bind(...values);
    this.map.set(key, child);
    return child;
  }
}

/** Joins label values into one map key (a character no label value holds). */
export const SEP = '\u0001';

/** One label combination's count since the last scrape (CounterCells). */
export interface CounterCell {
  pending: number;
}

interface BoundCell extends CounterCell {
  labels: Record<string, string>;
}

/**
 * Counters counted in plain numbers on the request path and handed to prom-client when it
 * collects (at scrape time, through the counter's collect hook). prom-client's own inc hashes
 * and validates the labels on every call, a microsecond or more per counter per request.
 * Bounded like Children: past MAX_SERIES_PER_METRIC combinations, new ones share `_overflow`.
 */
export class CounterCells {
  private readonly map = new Map<string, BoundCell>();
  private overflow: BoundCell | undefined;

  constructor(private readonly labelNames: readonly string[]) {}

  /** The cell of these label values (created on first use). */
  of(...values: string[]): CounterCell {
    const key = values.join(SEP);
    return this.map.get(key) ?? this.add(key, ...values);
  }

  /** By a key the caller joined with SEP itself (the request path builds it without an array). */
  get(key: string): CounterCell | undefined {
    return this.map.get(key);
  }

  /** Moves what was counted since the last call into prom-client's counter. */
  flush(counter: { inc(labels: Record<string, string>, value: number): void }): void {
    for (const cell of this.map.values()) this.flushCell(counter, cell);
    if (this.overflow) this.flushCell(counter, this.overflow);
  }

  private flushCell(counter: { inc(labels: Record<string, string>, value: number): void }, cell: BoundCell): void {
    if (cell.pending === 0) return;
    const n = cell.pending;
    cell.pending = 0;
    counter.inc(cell.labels, n);
  }

  add(key: string, ...values: string[]): CounterCell {
    if (this.map.size >= MAX_SERIES_PER_METRIC) {
      this.overflow ??= this.bind(new Array<string>(this.labelNames.length).fill(OVERFLOW));
      return this.overflow;
    }
    const cell = this.bind(values);
    this.map.set(key, cell);
    return cell;
  }

  private bind(values: string[]): BoundCell {
    const labels: Record<string, string> = {};
    this.labelNames.forEach((name, i) => (labels[name] = values[i] ?? ''));
    return { labels, pending: 0 };
  }
}

/** A prom-client counter whose counts are taken on the request path by CounterCells (see above). */
export function cellCounter(name: string, help: string, labelNames: readonly string[], registers: Registry[]): CounterCells {
  const cells = new CounterCells(labelNames);
  new Counter({
    name,
    help,
    labelNames,
    registers,
    collect() {
      cells.flush(this);
    },
  });
  return cells;
}
