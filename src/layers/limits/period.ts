/** A calendar period in UTC: its id (part of the counter key) and its bounds in ms. */
export interface Period {
  id: string;
  start: number;
  end: number;
}

const DAY_MS = 86_400_000;

/** The UTC day or month that `now` falls in. */
export function periodOf(now: number, kind: 'day' | 'month'): Period {
  const d = new Date(now);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const mm = String(m + 1).padStart(2, '0');
  if (kind === 'month') return { id: `${y}-${mm}`, start: Date.UTC(y, m, 1), end: Date.UTC(y, m + 1, 1) };
  const start = Date.UTC(y, m, d.getUTCDate());
  return { id: `${y}-${mm}-${String(d.getUTCDate()).padStart(2, '0')}`, start, end: start + DAY_MS };
}

/** Remembers the current period so most requests compute nothing. */
export class PeriodClock {
  private current: Period | undefined;
  constructor(private readonly kind: 'day' | 'month') {}

  at(now: number): Period {
    const c = this.current;
    if (c && now >= c.start && now < c.end) return c;
    return (this.current = periodOf(now, this.kind));
  }
}
