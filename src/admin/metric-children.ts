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
