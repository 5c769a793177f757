import { aiPlan, type AiPlan, type AiRoutePlan } from '../../ai/plan.ts';
import type { Config } from '../../config/schema.ts';
import { PeriodClock } from '../limits/period.ts';
import type { BudgetKey } from './schema.ts';

/** One budget as the layer checks it, with its counter keys up to the caller's part (fixed at load). */
export interface BudgetPlan {
  name: string;
  per: BudgetKey;
  failClosed: boolean;
  requests?: { perMinute: number; keyBase: string };
  tokens?: { perMinute: number; keyBase: string };
  spend?: {
    limitUsd: number;
    /** The limit in micro-dollars: the unit the counter counts (Redis counts integers). */
    limitMicros: number;
    period: 'day' | 'month';
    clock: PeriodClock;
    softAt?: number;
    /** The counter key up to the period id. */
    keyBase: string;
  };
}

export interface AiRouteLayerPlan {
  ai: AiRoutePlan;
  /** The route's index in config.routes (for rule ids that point at the config). */
  index: number;
  budgets: BudgetPlan[];
}

export interface AiLayerPlan {
  ai: AiPlan;
  routes: Map<string, AiRouteLayerPlan>;
  tenantModels: Map<string, ReadonlySet<string>>;
  consumerModels: Map<string, ReadonlySet<string>>;
}

/** An AI setting that cannot work; `path` points the load at it. */
export class AiConfigError extends Error {
  constructor(
    message: string,
    readonly path: (string | number)[],
  ) {
    super(message);
  }
}

export const MINUTE_MS = 60_000;

export function compileAiLayer(config: Config, keyPrefix: string): AiLayerPlan {
  const ai = aiPlan(config);
  const budgets = new Map<string, BudgetPlan>();
  for (const [name, b] of Object.entries(config.ai.budgets)) {
    const base = `${keyPrefix}ai:${name}:`;
    budgets.set(name, {
      name,
      per: b.key,
      failClosed: b.failMode === 'closed',
      requests: b.requestsPerMinute === undefined ? undefined : { perMinute: b.requestsPerMinute, keyBase: `${base}rpm:` },
      tokens: b.tokensPerMinute === undefined ? undefined : { perMinute: b.tokensPerMinute, keyBase: `${base}tpm:` },
      spend: b.spend && {
        limitUsd: b.spend.limitUsd,
        limitMicros: Math.round(b.spend.limitUsd * 1e6),
        period: b.spend.period,
        clock: new PeriodClock(b.spend.period),
        softAt: b.spend.softAt,
        keyBase: `${base}spend:`,
      },
    });
  }
  const routes = new Map<string, AiRouteLayerPlan>();
  config.routes.forEach((r, i) => {
    const routePlan = ai.routes.get(r.id);
    if (!routePlan) return;
    // A budget name that is not defined is reported by validate (src/ai/crossref.ts) and left out here.
    const used = (r.ai?.budgets ?? []).flatMap((name, j) => {
      const b = budgets.get(name);
      if (b && !r.authn) throw new AiConfigError(`route ${r.id}: budget ${name} is kept per ${b.per}, but the route is public (no authn): there is no ${b.per} to count on`, ['routes', i, 'ai', 'budgets', j]);
      return b ? [b] : [];
    });
    routes.set(r.id, { ai: routePlan, index: i, budgets: [...new Set(used)] });
  });
  return { ai, routes, tenantModels: modelLists(config, 'tenants'), consumerModels: modelLists(config, 'consumers') };
}

/** The aiModels lists of tenants or consumers; an alias that is not under ai.models is a config error (it would refuse in silence). */
function modelLists(config: Config, what: 'tenants' | 'consumers'): Map<string, ReadonlySet<string>> {
  const out = new Map<string, ReadonlySet<string>>();
  const entries: Record<string, { aiModels?: string[] }> = config[what];
  for (const [name, e] of Object.entries(entries)) {
    if (!e.aiModels) continue;
    e.aiModels.forEach((alias, j) => {
      if (!Object.hasOwn(config.ai.models, alias)) {
        const known = Object.keys(config.ai.models);
        throw new AiConfigError(`${what}.${name}.aiModels: model alias "${alias}" is not defined under ai.models (${known.length ? `defined: ${known.join(', ')}` : 'none are defined'})`, [what, name, 'aiModels', j]);
      }
    });
    out.set(name, new Set(e.aiModels));
  }
  return out;
}
