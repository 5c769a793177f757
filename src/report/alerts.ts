// Alert evaluation: each rule counts calls in the window that ends now (per group with `by`;
// denials by default, or AI calls with budget warnings, or failed provider calls),
// compares with its threshold, and yields a notification only when a condition starts or stops
// holding: one alert, then one recovery notice, however many evaluations it spans.
import type { CallAggregates, CallFilter } from '../calllog/aggregate.ts';
import type { AlertRuleConfig } from './schema.ts';

export interface Notification {
  kind: 'alert' | 'recovery';
  alert: string;
  description?: string;
  /** With `by`: the group this notification is about. */
  group?: { by: string; value: string | null };
  at: string;
  window: { from: string; to: string; seconds: number };
  counted: number;
  requests?: number;
  percent?: number;
  previous?: number;
  threshold: string;
  summary: string;
  /** Request ids of counted calls in the window, newest first (`pinpoint why <id>`). */
  examples: string[];
}

interface Measure {
  counted: number;
  requests?: number;
  previous?: number;
}

interface AlertState {
  /** What the last evaluation found. */
  holding: boolean;
  /** What the receiver was last told (a delivery that failed is tried again next time). */
  told: boolean;
  last: Measure;
}

function filters(rule: AlertRuleConfig): { requests: CallFilter; counted: CallFilter } {
  const requests: CallFilter = { ...rule.requests };
  const c = rule.count;
  // AI kinds: a percentage of budget warnings is of AI calls; of provider failures, of every provider call.
  if (c.ai === 'provider_failure') requests.ai = 'hops';
  else if (c.ai === 'budget_warning') requests.ai = 'calls';
  const counted: CallFilter = { ...requests, ...c };
  if (c.outcome === undefined && c.status === undefined && c.code === undefined && c.layer === undefined && c.ai === undefined) counted.outcome = 'deny';
  return { requests, counted };
}

/** What the rule counts, and out of what, in notification words. */
const UNITS = {
  requests: { counted: 'requests', of: 'requests', share: 'requests' },
  budget_warning: { counted: 'AI calls with budget warnings', of: 'AI calls', share: 'AI calls had budget warnings' },
  provider_failure: { counted: 'failed provider calls', of: 'provider calls', share: 'provider calls failed' },
} as const;

function units(rule: AlertRuleConfig): { counted: string; of: string; share: string } {
  return UNITS[rule.count.ai ?? 'requests'];
}

function thresholdText(rule: AlertRuleConfig): string {
  const u = units(rule);
  if (rule.abovePercent !== undefined) return `more than ${rule.abovePercent}% of at least ${rule.minRequests} ${u.of}`;
  if (rule.aboveCount !== undefined) return `more than ${rule.aboveCount} ${u.counted}`;
  return `${rule.growth} times the previous ${rule.windowS} s, at least ${rule.minRequests} ${u.counted}`;
}

function holds(rule: AlertRuleConfig, m: Measure): boolean {
  if (rule.abovePercent !== undefined) {
    return (m.requests ?? 0) >= rule.minRequests && (m.counted / (m.requests ?? 1)) * 100 > rule.abovePercent;
  }
  if (rule.aboveCount !== undefined) return m.counted > rule.aboveCount;
  return m.counted >= rule.minRequests && m.counted >= rule.growth! * Math.max(1, m.previous ?? 0);
}

function describe(rule: AlertRuleConfig, m: Measure, group: string | null | undefined): string {
  const what = `${rule.id}${rule.by ? ` (${rule.by} ${group ?? '(none)'})` : ''}`;
  const windowText = `in the last ${rule.windowS} s`;
  const u = units(rule);
  if (rule.abovePercent !== undefined) {
    const pct = m.requests ? ((m.counted / m.requests) * 100).toFixed(1) : '0.0';
    return `${what}: ${m.counted} of ${m.requests ?? 0} ${u.share} (${pct}%) ${windowText}; threshold ${thresholdText(rule)}`;
  }
  if (rule.aboveCount !== undefined) return `${what}: ${m.counted} ${u.counted} ${windowText}; threshold ${thresholdText(rule)}`;
  return `${what}: ${m.counted} ${u.counted} ${windowText} against ${m.previous ?? 0} the ${rule.windowS} s before; threshold ${thresholdText(rule)}`;
}

export class AlertEvaluator {
  private readonly states = new Map<string, AlertState>();

  constructor(private rules: readonly AlertRuleConfig[]) {}

  /** A reload: rules that are gone forget their state (a recovery is not sent for them). */
  setRules(rules: readonly AlertRuleConfig[]): void {
    this.rules = rules;
    const ids = new Set(rules.map((r) => r.id));
    for (const key of this.states.keys()) if (!ids.has(key.split('\u0000')[0]!)) this.states.delete(key);
  }

  private measures(q: CallAggregates, rule: AlertRuleConfig, from: number, to: number): Map<string | null | undefined, Measure> {
    const { requests, counted } = filters(rule);
    const previousFrom = from - (to - from);
    const out = new Map<string | null | undefined, Measure>();
    if (!rule.by) {
      const m: Measure = { counted: q.count(counted, from, to) };
      if (rule.abovePercent !== undefined) m.requests = q.count(requests, from, to);
      if (rule.growth !== undefined) m.previous = q.count(counted, previousFrom, from);
      out.set(undefined, m);
      return out;
    }
    for (const g of q.groups(rule.by, counted, from, to)) out.set(g.key, { counted: g.count });
    if (rule.abovePercent !== undefined) {
      for (const g of q.groups(rule.by, requests, from, to)) {
        const m = out.get(g.key) ?? { counted: 0 };
        m.requests = g.count;
        out.set(g.key, m);
      }
    }
    if (rule.growth !== undefined) {
      const before = new Map(q.groups(rule.by, counted, previousFrom, from).map((g) => [g.key, g.count]));
      for (const [key, m] of out) m.previous = before.get(key as string | null) ?? 0;
    }
    return out;
  }

  /**
   * Evaluates every rule at `now` and returns the notifications to deliver. Call `delivered`
   * for each one that reached the receiver; the others are offered again next time.
   */
  evaluate(q: CallAggregates, now: number): Notification[] {
    const out: Notification[] = [];
    for (const rule of this.rules) {
      const to = now;
      const from = now - rule.windowS * 1000;
      const measures = this.measures(q, rule, from, to);
      const seen = new Set<string>();
      const visit = (group: string | null | undefined, m: Measure) => {
        const key = rule.by ? `${rule.id}\u0000${group ?? ''}` : rule.id;
        seen.add(key);
        const state = this.states.get(key) ?? { holding: false, told: false, last: m };
        state.holding = holds(rule, m);
        if (state.holding) state.last = m;
        this.states.set(key, state);
        if (state.holding === state.told) {
          if (!state.holding) this.states.delete(key);
          return;
        }
        const { counted } = filters(rule);
        const kind = state.holding ? 'alert' : 'recovery';
        const n: Notification = {
          kind,
          alert: rule.id,
          at: new Date(now).toISOString(),
          window: { from: new Date(from).toISOString(), to: new Date(to).toISOString(), seconds: rule.windowS },
          counted: m.counted,
          threshold: thresholdText(rule),
          summary: `${kind === 'alert' ? 'ALERT' : 'RECOVERED'} ${describe(rule, m, group)}`,
          examples: kind === 'alert' && rule.examples > 0
            ? q.examples(rule.by ? { ...counted, [rule.by]: group ?? undefined } : counted, from, to, rule.examples)
            : [],
        };
        if (rule.description !== undefined) n.description = rule.description;
        if (rule.by) n.group = { by: rule.by, value: group ?? null };
        if (m.requests !== undefined) {
          n.requests = m.requests;
          n.percent = m.requests ? Math.round((m.counted / m.requests) * 1000) / 10 : 0;
        }
        if (m.previous !== undefined) n.previous = m.previous;
        out.push(n);
      };
      for (const [group, m] of measures) visit(group, m);
      // Groups that fired and have no calls in the window any more have recovered.
      for (const key of [...this.states.keys()]) {
        if (!key.startsWith(`${rule.id}\u0000`) || seen.has(key)) continue;
        visit(key.slice(rule.id.length + 1) || null, { counted: 0, requests: 0, previous: 0 });
      }
    }
    return out;
  }

  /** The receiver has this notification: it is not sent again until the condition changes. */
  delivered(n: Notification): void {
    const key = n.group ? `${n.alert}\u0000${n.group.value ?? ''}` : n.alert;
    const state = this.states.get(key);
    if (!state) return;
    state.told = n.kind === 'alert';
    if (!state.holding && !state.told) this.states.delete(key);
  }
}
