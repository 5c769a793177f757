import type { Config, RouteConfig } from '../../config/schema.ts';
import { closest } from '../../config/suggest.ts';
import { compileDenyRule, type DenyCompileContext, type DenyOrigin, type DenyPlan } from './deny.ts';
import { ConfigPathError } from './errors.ts';
import type { RefContext } from './references.ts';
import type { GatewayDenyRuleConfig, TenantDenyRuleConfig } from './schema.ts';

/**
 * Deny rules declared outside routes, for lock-downs: the gateway's (authz.deny) and each
 * tenant's (tenants.<name>.deny). Each rule names the routes it covers (ids or globs of ids;
 * every route with authn when absent); at load every rule is put on the list of each route it
 * covers, so a request looks up its route's list and nothing is matched by name at run time.
 *
 * Only routes with authn are covered: authorization rules are about callers, and a public
 * route has none (naming one is a config error, as authz on a route without authn is).
 */
export interface Lockdown {
  /** Gateway rules by route id, in the order declared. */
  gateway: ReadonlyMap<string, DenyPlan[]>;
  /** Tenant rules by tenant, then route id. */
  tenants: ReadonlyMap<string, ReadonlyMap<string, DenyPlan[]>>;
  /** Route ids any gateway or tenant rule covers. */
  covered: ReadonlySet<string>;
  /** Route ids where a covering rule's condition reads the body. */
  needsBody: ReadonlySet<string>;
}

export function compileLockdown(config: Config, rc: RefContext, checkRole: (role: string, path: (string | number)[]) => void): Lockdown {
  const gateway = new Map<string, DenyPlan[]>();
  const tenants = new Map<string, Map<string, DenyPlan[]>>();
  const covered = new Set<string>();
  const needsBody = new Set<string>();
  const place = (into: Map<string, DenyPlan[]>, plan: DenyPlan, routes: RouteConfig[]) => {
    for (const r of routes) {
      let list = into.get(r.id);
      if (!list) into.set(r.id, (list = []));
      list.push(plan);
      covered.add(r.id);
      if (plan.when.some((c) => c.needsBody)) needsBody.add(r.id);
    }
  };
  const compile = (rules: (GatewayDenyRuleConfig | TenantDenyRuleConfig)[], base: (string | number)[], origin: (j: number) => DenyOrigin, into: Map<string, DenyPlan[]>) => {
    const seen = new Map<string, number>();
    rules.forEach((d, j) => {
      const path = [...base, j];
      const first = seen.get(d.id);
      if (first !== undefined) throw new ConfigPathError(`deny rule id ${JSON.stringify(d.id)} is used twice (first at ${base.join('.')}[${first}]): decisions name rules by id`, [...path, 'id']);
      seen.set(d.id, j);
      const routes = coveredRoutes(config, d.routes, path);
      const cc: DenyCompileContext = { rc, routes, checkRole };
      place(into, compileDenyRule(d, origin(j), path, cc), routes);
    });
  };
  compile(config.authz.deny, ['authz', 'deny'], (index) => ({ kind: 'gateway', index }), gateway);
  for (const [name, t] of Object.entries(config.tenants)) {
    if (!t.deny?.length) continue;
    const into = new Map<string, DenyPlan[]>();
    compile(t.deny, ['tenants', name, 'deny'], (index) => ({ kind: 'tenant', tenant: name, index }), into);
    tenants.set(name, into);
  }
  return { gateway, tenants, covered, needsBody };
}

/** The routes a rule's selectors name, all with authn; a selector that names none is an error at its line. */
function coveredRoutes(config: Config, selectors: readonly string[] | undefined, path: (string | number)[]): RouteConfig[] {
  const guarded = config.routes.filter((r) => r.authn);
  if (!selectors) return guarded;
  const out = new Set<RouteConfig>();
  selectors.forEach((sel, j) => {
    const at = [...path, 'routes', j];
    if (!sel.includes('*')) {
      const route = config.routes.find((r) => r.id === sel);
      if (!route) {
        const guess = closest(sel, config.routes.map((r) => r.id));
        throw new ConfigPathError(`route ${JSON.stringify(sel)} is not defined${guess ? `; did you mean "${guess}"?` : ''}`, at);
      }
      if (!route.authn) throw new ConfigPathError(`route ${sel} is public (no authn): a deny rule is about callers, and that route has none (add authn to it, or close it with methods or ip rules)`, at);
      out.add(route);
      return;
    }
    const re = globRegex(sel);
    const matched = guarded.filter((r) => re.test(r.id));
    if (matched.length === 0) throw new ConfigPathError(`${sel} matches no route with authn (routes with authn: ${guarded.map((r) => r.id).join(', ') || 'none'})`, at);
    for (const r of matched) out.add(r);
  });
  return config.routes.filter((r) => out.has(r));
}

/** orders-* → /^orders-.*$/ (route ids have no other special characters). */
function globRegex(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}
