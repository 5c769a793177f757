// Allows that can never apply, and tenants whose routes overlap: configuration that reads
// as if it allowed something it does not, or that leaves it to route matching which tenant's
// route a request reaches.
import type { Config, RouteConfig } from '../config/schema.ts';
import type { Finding } from './types.ts';

/**
 * A deny rule that matches every caller of a method the route allows (no consumer, tenant,
 * role or condition filter) makes the route's allow for that method unreachable: the deny
 * always wins. So does one filtered by roles when every role that could pass holds one of them.
 */
export function auditShadowedAllows(config: Config): Finding[] {
  const out: Finding[] = [];
  for (const route of config.routes) {
    const rules = route.authz?.deny ?? [];
    const methods = route.methods ?? ['*'];
    for (const rule of rules) {
      if (rule.consumers || rule.tenants || rule.when || rule.except) continue;
      const covered = rule.methods ? methods.filter((m) => m === '*' || rule.methods!.includes(m)) : methods;
      if (covered.length === 0) continue;
      const everyone = !rule.roles || coversEveryPassingRole(config, route, rule.roles);
      if (!everyone) continue;
      out.push({
        severity: 'medium',
        check: 'authz.allow_shadowed',
        subject: `route ${route.id}`,
        message: `deny rule ${rule.id} of route ${route.id} matches every caller${rule.roles ? ` that could pass (every role that may use the route is in [${rule.roles.join(', ')}])` : ''} for ${covered.join(', ')}: what the route allows there can never apply`,
        suggestion: `if the route is locked down on purpose, remove ${covered.join(', ')} from its methods (callers then get 405, not 403); otherwise narrow deny rule ${rule.id} with consumers, tenants, roles or when`,
      });
    }
  }
  out.push(...lockdownsWithoutExemption(config));
  return out;
}

/**
 * Gateway and tenant deny rules (lock-downs) that refuse every caller of the routes they
 * cover: intended while a lock-down lasts, easy to forget after; said once per rule.
 */
function lockdownsWithoutExemption(config: Config): Finding[] {
  const out: Finding[] = [];
  const rules = [
    ...config.authz.deny.map((rule, i) => ({ rule, where: `authz.deny[${i}]`, owner: 'gateway' })),
    ...Object.entries(config.tenants).flatMap(([name, t]) => (t.deny ?? []).map((rule, i) => ({ rule, where: `tenants.${name}.deny[${i}]`, owner: `tenant ${name}'s` }))),
  ];
  for (const { rule, where, owner } of rules) {
    if (rule.consumers || (rule as { tenants?: unknown }).tenants || rule.roles || rule.when || rule.except) continue;
    const routes = rule.routes ? rule.routes.join(', ') : 'every route with authn';
    out.push({
      severity: 'low',
      check: 'authz.allow_shadowed',
      subject: `${owner} deny ${rule.id}`,
      message: `${owner} deny rule ${rule.id} (${where}) refuses every caller of ${routes}${rule.methods ? ` for ${rule.methods.join(', ')}` : ''}: no one is exempt, what those routes allow there can never apply`,
      suggestion: `remove ${where} when the lock-down is over; to keep operators in meanwhile, add except: { roles: [...] }`,
    });
  }
  return out;
}

function coversEveryPassingRole(config: Config, route: RouteConfig, denied: readonly string[]): boolean {
  const allowed = route.authz?.roles ?? Object.keys(config.roles);
  return allowed.length > 0 && allowed.every((r) => denied.includes(r));
}

/** The tenants that may use a route: authz.tenants, narrowed by tenants' `routes` allow-lists; undefined: every tenant. */
function tenantsOf(config: Config, route: RouteConfig): Set<string> | undefined {
  let set = route.authz?.tenants ? new Set(route.authz.tenants) : undefined;
  for (const [name, t] of Object.entries(config.tenants)) {
    const only = (t as { routes?: string[] }).routes;
    if (only && !only.includes(route.id)) {
      set ??= new Set(Object.keys(config.tenants));
      set.delete(name);
    }
  }
  return set;
}

/** A regular expression of the paths a pattern matches (:param one segment, * the rest). */
function pathRegex(pattern: string): RegExp {
  const body = pattern.replace(/\/+$/, '').split('/').map((seg) => (seg === '*' ? '.*' : seg.startsWith(':') ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/');
  return new RegExp(`^${body || ''}/?$`);
}

/** A concrete path the pattern matches (each parameter filled in), to test against another pattern. */
function samplePath(pattern: string): string {
  return pattern.replace(/:[A-Za-z0-9_]+/g, 'x1').replace(/\*$/, 'x1');
}

function sharedMethods(a: RouteConfig, b: RouteConfig): string[] {
  if (!a.methods) return b.methods ? [...b.methods] : ['every method'];
  if (!b.methods) return [...a.methods];
  return a.methods.filter((m) => b.methods!.includes(m));
}

/**
 * Routes of different tenants (no tenant may use both) whose paths can match the same request:
 * which route, and so which tenant's rules, a request reaches is then up to route matching.
 */
export function auditTenantOverlaps(config: Config): Finding[] {
  const out: Finding[] = [];
  const routes = config.routes.map((r) => ({ r, tenants: tenantsOf(config, r) })).filter((x) => x.tenants !== undefined);
  for (let i = 0; i < routes.length; i++) {
    for (let j = i + 1; j < routes.length; j++) {
      const a = routes[i];
      const b = routes[j];
      if ([...a.tenants!].some((t) => b.tenants!.has(t))) continue;
      if (a.r.hosts && b.r.hosts && !a.r.hosts.some((h) => b.r.hosts!.includes(h))) continue;
      const methods = sharedMethods(a.r, b.r);
      if (methods.length === 0) continue;
      const overlap = a.r.paths.flatMap((pa) => b.r.paths.filter((pb) => pathRegex(pb).test(samplePath(pa)) || pathRegex(pa).test(samplePath(pb))).map((pb) => [pa, pb]));
      if (overlap.length === 0) continue;
      out.push({
        severity: 'medium',
        check: 'tenants.routes_overlap',
        subject: `routes ${a.r.id} and ${b.r.id}`,
        message: `route ${a.r.id} (tenants ${[...a.tenants!].join(', ') || 'none'}) and route ${b.r.id} (tenants ${[...b.tenants!].join(', ') || 'none'}) both match ${overlap.map(([pa, pb]) => `${pa} / ${pb}`).join(', ')} for ${methods.join(', ')}: which tenant's route a request reaches depends on route matching, not on the tenant`,
        suggestion: `give each tenant's routes their own prefix (/${'{tenant}'}/...) or host, or merge them into one route with authz.tenants listing both`,
      });
    }
  }
  return out;
}
