import type { Config } from '../../config/schema.ts';
import type { EvalContext, Layer, LayerResult } from '../../pipeline/types.ts';
import { noteShadow, SKIP } from '../../pipeline/types.ts';
import type { CompiledRoute } from '../route/compile.ts';
import { compileRules, type CompiledRule } from './compile.ts';
import { wafDenial, type DenialContext } from './denial.ts';
import { inspect, planLevel, type Excluded, type LevelPlan } from './engine.ts';
import { walkFields } from './fields.ts';
import { globMatch } from './glob.ts';
import { FAMILIES, loadRuleFiles } from './rule-file.ts';

/** What the waf layer needs from outside the config (clients, stores), injected by the runtime. */
export interface WafDeps {
  /** Rules to use instead of the shipped rule files (tests, the scorer). */
  rules?: readonly CompiledRule[];
}

interface RoutePlan {
  level: LevelPlan;
  mode: 'block' | 'detect';
  inspectBody: boolean;
  excluded: Excluded;
  denial: DenialContext;
}

/** A route's waf setting that names something that does not exist; `path` points the load at it. */
class WafConfigError extends Error {
  constructor(
    message: string,
    readonly path: (string | number)[],
  ) {
    super(message);
  }
}

let shipped: readonly CompiledRule[] | undefined;

/** The shipped rules, read and compiled once per process (they do not change with the config). */
export function shippedRules(): readonly CompiledRule[] {
  return (shipped ??= compileRules(loadRuleFiles()));
}

/**
 * The web application firewall: takes the request apart into fields (path, query, headers,
 * cookies, body values), runs the rules of the route's paranoia level over them after their
 * transformations, adds up the scores of the rules that matched, and blocks at the route's
 * threshold, or, in detect mode, records the would-be block and lets the request pass.
 */
export function wafLayer(config: Config, deps: WafDeps = {}): Layer | undefined {
  const top = config.waf;
  const used = config.routes.some((r) => (r.waf ? r.waf.enabled !== false : top.enabled));
  if (!used) return undefined;
  const rules = deps.rules ?? shippedRules();
  const ids = new Set(rules.map((r) => r.id));
  const levels = new Map<number, LevelPlan>();
  const levelPlan = (p: number) => levels.get(p) ?? levels.set(p, planLevel(rules, p)).get(p)!;
  const secretHeaders = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-api-key', config.authn.apiKeys.header.toLowerCase()]);

  const plans = new Map<string, RoutePlan>();
  config.routes.forEach((route, index) => {
    const w = route.waf;
    if (!(w ? w.enabled !== false : top.enabled)) return;
    const paranoia = w?.paranoia ?? top.paranoia;
    const threshold = w?.threshold ?? top.threshold;
    const exclusions = (w?.exclusions ?? []).map((e, j) => {
      if (e.rule !== '*' && !ids.has(e.rule) && !(FAMILIES as readonly string[]).includes(e.rule)) {
        throw new WafConfigError(`route ${route.id}: waf exclusion names rule "${e.rule}", which does not exist (a rule id such as sqli-100, a family ${FAMILIES.join(', ')}, or *)`, ['routes', index, 'waf', 'exclusions', j, 'rule']);
      }
      return e;
    });
    const excluded: Excluded = exclusions.length
      ? (rule, field) => exclusions.some((e) => (e.rule === '*' || e.rule === rule.id || e.rule === rule.family) && (e.field === undefined || (field !== undefined && globMatch(e.field, field.name))))
      : () => false;
    plans.set(route.id, {
      level: levelPlan(paranoia),
      mode: w?.mode ?? top.mode,
      inspectBody: w?.inspectBody ?? top.inspectBody,
      excluded,
      denial: { routeId: route.id, routeIndex: index, paranoia, threshold, secretHeaders },
    });
  });

  return {
    name: 'waf',
    needsBody(route: CompiledRoute): boolean {
      const plan = plans.get(route.id);
      return plan !== undefined && plan.inspectBody && plan.level.readsBody;
    },
    evaluate(ctx: EvalContext): LayerResult {
      const route = ctx.route;
      if (!route) return SKIP;
      const plan = plans.get(route.id);
      if (!plan) return undefined;
      const { score, matches } = inspect(plan.level, ctx.req, (visit) => walkFields(ctx, plan.inspectBody, visit), plan.excluded);
      if (score < plan.denial.threshold) return undefined;
      const denial = wafDenial(score, matches, plan.denial);
      if (plan.mode === 'block') return denial;
      noteShadow(ctx, 'waf', denial);
      return undefined;
    },
  };
}
