import type { Config } from '../../config/schema.ts';
import { PeriodClock } from './period.ts';
import type { RedisSettings } from './redis-backend.ts';
import type { KeyPart, QuotaConfig, RateWindowConfig } from './schema.ts';

/** One rate window of a policy, with what its headers say about it (fixed at load). */
export interface WindowPlan {
  /** The policy item's name in RateLimit-Policy / RateLimit: "<policy>:<windowS>s". */
  id: string;
  limit: number;
  windowS: number;
  windowMs: number;
  /** `"<id>";q=<limit>;w=<windowS>` */
  policyItem: string;
  /** The counter key up to the request's key parts (built once, not per request). */
  keyBase: string;
}

export interface QuotaPlan {
  /** "<policy>:day" or "<policy>:month" */
  id: string;
  limit: number;
  period: 'day' | 'month';
  clock: PeriodClock;
  onExhausted: 'refuse' | 'suspend';
  /** The counter key up to the period id. */
  keyBase: string;
}

/** What one policy enforces for one plan. */
export interface PolicyLimits {
  windows: WindowPlan[];
  quota?: QuotaPlan;
  unlimited: boolean;
}

export interface PolicyPlan {
  name: string;
  key: KeyPart[];
  failClosed: boolean;
  base: PolicyLimits;
  byPlan: Map<string, PolicyLimits>;
}

export interface RoutePlan {
  cost: number;
  policies: PolicyPlan[];
}

/** Everything the limits layer decides with, compiled at config load. */
export interface LimitsPlan {
  routes: Map<string, RoutePlan>;
  planOfConsumer: Map<string, string>;
  planOfTenant: Map<string, string>;
  /** Whether some quota suspends: then requests with an identity check suspensions. */
  anySuspends: boolean;
  prefix: string;
  backend: 'memory' | 'redis';
  redis: RedisSettings;
  headers: Config['limits']['headers'];
}

/** A limits setting that cannot work; `path` points the load at it. */
export class LimitsConfigError extends Error {
  constructor(
    message: string,
    readonly path: (string | number)[],
  ) {
    super(message);
  }
}

const IDENTITY_PARTS: ReadonlySet<KeyPart> = new Set(['consumer', 'key', 'tenant']);

export function compileLimits(config: Config, env: NodeJS.ProcessEnv): LimitsPlan {
  const limits = config.limits;
  const policies = new Map<string, PolicyPlan>();
  const planNames = new Set<string>();
  let anySuspends = false;
  for (const [name, p] of Object.entries(limits.policies)) {
    const at = ['limits', 'policies', name];
    const suspends = [p.quota, ...Object.values(p.plans).map((x) => x.quota)].some((q) => q?.onExhausted === 'suspend');
    if (suspends && !(p.key.length === 1 && (p.key[0] === 'consumer' || p.key[0] === 'tenant'))) {
      throw new LimitsConfigError(`policy ${name}: a quota with onExhausted: suspend needs key [consumer] or [tenant] (it suspends that account)`, [...at, 'key']);
    }
    anySuspends ||= suspends;
    const byPlan = new Map<string, PolicyLimits>();
    for (const [plan, x] of Object.entries(p.plans)) {
      planNames.add(plan);
      byPlan.set(plan, policyLimits(limits.redis.keyPrefix, name, x.rate ?? p.rate, x.quota ?? p.quota, x.unlimited));
    }
    policies.set(name, { name, key: p.key, failClosed: p.failMode === 'closed', base: policyLimits(limits.redis.keyPrefix, name, p.rate, p.quota, false), byPlan });
  }

  const planOfConsumer = new Map<string, string>();
  const planOfTenant = new Map<string, string>();
  for (const [what, entries, into] of [
    ['consumers', config.consumers, planOfConsumer],
    ['tenants', config.tenants, planOfTenant],
  ] as const) {
    for (const [name, entry] of Object.entries(entries as Record<string, { plan?: string }>)) {
      if (entry.plan === undefined) continue;
      if (!planNames.has(entry.plan)) {
        const known = planNames.size ? `plans named by limits.policies: ${[...planNames].join(', ')}` : 'no policy under limits.policies names any plan';
        throw new LimitsConfigError(`plan "${entry.plan}" is not defined (${known})`, [what, name, 'plan']);
      }
      into.set(name, entry.plan);
    }
  }

  const routes = new Map<string, RoutePlan>();
  config.routes.forEach((route, i) => {
    if (!route.limits) return;
    const used = route.limits.map((name, j) => {
      const p = policies.get(name);
      if (!p) {
        const known = policies.size ? `defined: ${[...policies.keys()].join(', ')}` : 'no policies are defined under limits.policies';
        throw new LimitsConfigError(`route ${route.id}: limit policy "${name}" is not defined (${known})`, ['routes', i, 'limits', j]);
      }
      const needs = p.key.filter((k) => IDENTITY_PARTS.has(k));
      if (needs.length && !route.authn) {
        throw new LimitsConfigError(`route ${route.id}: policy ${name} counts per ${needs.join(', ')}, but the route is public (no authn): there is no ${needs[0]} to count on`, ['routes', i, 'limits', j]);
      }
      for (const l of [p.base, ...p.byPlan.values()]) {
        const smallest = Math.min(...l.windows.map((w) => w.limit), l.quota?.limit ?? Infinity);
        if (!l.unlimited && route.limitCost > smallest) {
          throw new LimitsConfigError(`route ${route.id}: limitCost ${route.limitCost} is more than policy ${name} ever allows at once (${smallest}), so no request could pass`, ['routes', i, 'limitCost']);
        }
      }
      return p;
    });
    routes.set(route.id, { cost: route.limitCost, policies: [...new Set(used)] });
  });

  const r = limits.redis;
  return {
    routes,
    planOfConsumer,
    planOfTenant,
    anySuspends,
    prefix: r.keyPrefix,
    backend: limits.backend,
    redis: { url: r.url, password: r.passwordEnv ? env[r.passwordEnv] : undefined, connectTimeoutMs: r.connectTimeoutMs, commandTimeoutMs: r.commandTimeoutMs },
    headers: limits.headers,
  };
}

function policyLimits(prefix: string, policy: string, rate: RateWindowConfig[], quota: QuotaConfig | undefined, unlimited: boolean): PolicyLimits {
  const windows = rate.map((w) => {
    const id = `${policy}:${w.windowS}s`;
    return { id, limit: w.limit, windowS: w.windowS, windowMs: w.windowS * 1000, policyItem: `"${id}";q=${w.limit};w=${w.windowS}`, keyBase: `${prefix}r:${policy}:${w.windowS}:` };
  });
  const q = quota && {
    id: `${policy}:${quota.period}`,
    limit: quota.limit,
    period: quota.period,
    clock: new PeriodClock(quota.period),
    onExhausted: quota.onExhausted,
    keyBase: `${prefix}q:${policy}:`,
  };
  return { windows, quota: q, unlimited };
}

