/**
 * Rate limit response headers.
 *
 * RateLimit-Policy and RateLimit follow draft-ietf-httpapi-ratelimit-headers-09 (structured
 * fields: a List of policy items named by an sf-string): every cell the request was checked
 * against is one item, named "<policy>:<window>s" or "<policy>:day|month".
 *   RateLimit-Policy: "per-consumer:1s";q=10;w=1, "per-consumer:3600s";q=1000;w=3600
 *   RateLimit: "per-consumer:1s";r=9;t=1, "per-consumer:3600s";r=999;t=4
 * q is the limit, w the window in seconds (a quota's current day or month), r what remains,
 * t seconds until the cell is full again (for a cell that refused: until it admits again).
 * The partition key (pk) is not sent.
 *
 * X-RateLimit-Limit / -Remaining / -Reset (seconds, not a date) describe the one cell
 * closest to refusing, for clients written against the older de-facto headers.
 */
import type { CellOutcome } from './backend.ts';
import type { CellInfo } from './cells.ts';
import type { LimitsPlan } from './compile.ts';

/** Whole seconds, rounded up: a client that waits this long is never early. */
export function seconds(ms: number): number {
  return Math.ceil(ms / 1000);
}

/** Seconds a cell's `t` states: until full when it admitted, until it admits when it refused. */
function tOf(o: CellOutcome): number {
  return seconds(o.allowed ? o.resetMs : o.retryAfterMs);
}

export function limitHeaders(plan: LimitsPlan, infos: readonly CellInfo[], outcomes: readonly CellOutcome[], into: Record<string, string> = {}): Record<string, string> {
  if (infos.length === 0) return into;
  if (plan.headers.ratelimit) {
    let policy = '';
    let state = '';
    for (let i = 0; i < infos.length; i++) {
      const info = infos[i];
      const o = outcomes[i];
      const sep = i ? ', ' : '';
      if (info.window) {
        policy += sep + info.window.policyItem;
        state += `${sep}"${info.window.id}";r=${o.remaining};t=${tOf(o)}`;
      } else {
        const q = info.quota!;
        const p = info.period!;
        policy += `${sep}"${q.id}";q=${q.limit};w=${(p.end - p.start) / 1000}`;
        state += `${sep}"${q.id}";r=${o.remaining};t=${tOf(o)}`;
      }
    }
    into['ratelimit-policy'] = policy;
    into['ratelimit'] = state;
  }
  if (plan.headers.legacy) {
    const i = tightest(outcomes);
    const info = infos[i];
    into['x-ratelimit-limit'] = String(info.window ? info.window.limit : info.quota!.limit);
    into['x-ratelimit-remaining'] = String(outcomes[i].remaining);
    into['x-ratelimit-reset'] = String(tOf(outcomes[i]));
  }
  return into;
}

/** The cell closest to refusing: a refusing one with the longest wait, else the fewest left. */
function tightest(outcomes: readonly CellOutcome[]): number {
  let best = 0;
  for (let i = 1; i < outcomes.length; i++) {
    const a = outcomes[i];
    const b = outcomes[best];
    if (a.allowed !== b.allowed) {
      if (!a.allowed) best = i;
    } else if (!a.allowed ? a.retryAfterMs > b.retryAfterMs : a.remaining < b.remaining || (a.remaining === b.remaining && a.resetMs > b.resetMs)) {
      best = i;
    }
  }
  return best;
}
