import type { RouteConfig } from '../../config/schema.ts';
import type { Evidence } from '../../decision/types.ts';
import type { EvalContext } from '../../pipeline/types.ts';
import type { Identity } from '../authn/types.ts';
import { compileCondition, type CompiledCondition } from './conditions.ts';
import { ConfigPathError } from './errors.ts';
import type { Inputs, RefContext } from './references.ts';
import type { ConditionConfig, DenyRuleConfig } from './schema.ts';

/**
 * Deny rules, wherever declared: on a route (routes[].authz.deny), for the whole gateway
 * (authz.deny) or for one tenant's consumers (tenants.<name>.deny). One matcher for all, so a
 * rule means the same in each place; where it was declared only changes its id and the fix.
 */

/** Where a deny rule was declared (for its rule id, the detail and the fix). */
export type DenyOrigin = { kind: 'route' } | { kind: 'gateway'; index: number } | { kind: 'tenant'; tenant: string; index: number };

export interface DenyPlan {
  id: string;
  reason?: string;
  origin: DenyOrigin;
  consumers?: ReadonlySet<string>;
  tenants?: ReadonlySet<string>;
  roles?: ReadonlySet<string>;
  methods?: ReadonlySet<string>;
  when: CompiledCondition[];
  except?: { consumers?: ReadonlySet<string>; tenants?: ReadonlySet<string>; roles?: ReadonlySet<string> };
  /** The route selectors of a gateway or tenant rule, for the evidence ("orders-*"). */
  routes?: readonly string[];
}

export interface DenyCompileContext {
  rc: RefContext;
  /** Routes whose paths a param: reference must name (every route the rule covers). */
  routes: readonly RouteConfig[];
  /** Checks a role name (undefined: any name), throwing at the path given. */
  checkRole?(role: string, path: (string | number)[]): void;
}

export function compileDenyRule(d: DenyRuleConfig & { routes?: string[] }, origin: DenyOrigin, path: (string | number)[], cc: DenyCompileContext): DenyPlan {
  const set = (xs: readonly string[] | undefined) => (xs ? new Set(xs) : undefined);
  d.roles?.forEach((r, j) => cc.checkRole?.(r, [...path, 'roles', j]));
  d.except?.roles?.forEach((r, j) => cc.checkRole?.(r, [...path, 'except', 'roles', j]));
  const when = (d.when ?? []).map((c, j) => {
    for (const route of cc.routes) checkParamRefs(c, route, [...path, 'when', j]);
    return compileCondition(c, [...path, 'when', j], cc.rc, `conditions[${j}]`);
  });
  const e = d.except;
  return {
    id: d.id,
    reason: d.reason,
    origin,
    consumers: set(d.consumers),
    tenants: set(d.tenants),
    roles: set(d.roles),
    methods: set(d.methods),
    when,
    except: e && { consumers: set(e.consumers), tenants: set(e.tenants), roles: set(e.roles) },
    routes: d.routes,
  };
}

/**
 * The evidence of a deny rule whose every matcher matches (and whose except does not), or
 * undefined. Without an identity (never the case where authz runs a rule today) no consumer,
 * tenant or role matcher matches and nobody is exempt.
 */
export function denyMatches(d: DenyPlan, ctx: EvalContext, id: Identity, inputs: () => Inputs, now: number): Evidence[] | undefined {
  const evidence: Evidence[] = [];
  if (d.routes) evidence.push({ where: 'route', expected: `one of ${d.routes.join(', ')}`, observed: ctx.route?.id ?? '(none)' });
  if (d.methods) {
    if (!d.methods.has(ctx.req.method)) return undefined;
    evidence.push({ where: 'method', expected: `one of ${[...d.methods].join(', ')}`, observed: ctx.req.method });
  }
  if (d.consumers) {
    if (!d.consumers.has(id.consumer)) return undefined;
    evidence.push({ where: 'consumer', expected: `one of ${[...d.consumers].join(', ')}`, observed: id.consumer });
  }
  if (d.tenants) {
    if (id.tenant === undefined || !d.tenants.has(id.tenant)) return undefined;
    evidence.push({ where: 'tenant', expected: `one of ${[...d.tenants].join(', ')}`, observed: id.tenant });
  }
  if (d.origin.kind === 'tenant') evidence.push({ where: 'tenant', expected: d.origin.tenant, observed: id.tenant ?? '(none)' });
  if (d.roles) {
    if (!holdsAny(id.roles, d.roles)) return undefined;
    evidence.push({ where: 'roles', expected: `any of ${[...d.roles].join(', ')}`, observed: id.roles.join(', ') });
  }
  for (const c of d.when) {
    if (c.check(inputs(), now)) return undefined;
    evidence.push({ where: `condition:${c.id}`, expected: c.text, observed: 'holds' });
  }
  const e = d.except;
  if (e) {
    if (e.consumers?.has(id.consumer) || (id.tenant !== undefined && e.tenants?.has(id.tenant)) || (e.roles && holdsAny(id.roles, e.roles))) return undefined;
    evidence.push({ where: 'except', expected: exemptText(e), observed: `consumer ${id.consumer} of tenant ${id.tenant ?? '(none)'}, roles ${id.roles.join(', ') || 'none'}` });
  }
  if (evidence.length === 0) evidence.push({ where: 'route', expected: 'no deny rule without selectors', observed: 'every request' });
  return evidence;
}

function exemptText(e: NonNullable<DenyPlan['except']>): string {
  const parts: string[] = [];
  if (e.consumers) parts.push(`consumers ${[...e.consumers].join(', ')}`);
  if (e.tenants) parts.push(`tenants ${[...e.tenants].join(', ')}`);
  if (e.roles) parts.push(`roles ${[...e.roles].join(', ')}`);
  return `exempt: ${parts.join('; ')}`;
}

export function holdsAny(held: readonly string[], granting: ReadonlySet<string>): boolean {
  for (let i = 0; i < held.length; i++) if (granting.has(held[i])) return true;
  return false;
}

/** A param: reference must name a parameter of every path of the route. */
export function checkParamRefs(c: ConditionConfig, route: RouteConfig, path: (string | number)[]): void {
  for (const [key, ref] of [['value', c.value], ['equals', c.equals], ['in', typeof c.in === 'string' ? c.in : undefined]] as const) {
    if (typeof ref !== 'string' || !ref.startsWith('param:')) continue;
    const name = ref.slice(6);
    const missing = route.paths.find((p) => !new RegExp(`:${name}(?![A-Za-z0-9_])`).test(p));
    if (missing) throw new ConfigPathError(`${ref}: path ${missing} of route ${route.id} has no parameter ${name}`, [...path, key]);
  }
}

/** The text of a rule's origin in the config: "routes[3].authz.deny", "authz.deny[0]", "tenants.acme.deny[1]". */
export function originPath(o: DenyOrigin, routeIndex: number): string {
  if (o.kind === 'gateway') return `authz.deny[${o.index}]`;
  if (o.kind === 'tenant') return `tenants.${o.tenant}.deny[${o.index}]`;
  return `routes[${routeIndex}].authz.deny`;
}
