import type { Config, RouteConfig } from '../../config/schema.ts';
import { closest } from '../../config/suggest.ts';
import { compileCondition, type CompiledCondition } from './conditions.ts';
import { checkParamRefs, compileDenyRule, type DenyPlan } from './deny.ts';
import { ConfigPathError } from './errors.ts';
import { compileOwner, type OwnerPlan } from './owner.ts';
import { coveringGrants, type Roles } from './permissions.ts';
import type { RefContext } from './references.ts';
import type { ConditionConfig } from './schema.ts';

/** One permission a route requires, with everything the check needs resolved at load. */
export interface Requirement {
  permission: string;
  /** Scopes that cover it: itself, `*`, and every `prefix:*` above it. */
  covering: ReadonlySet<string>;
  /** Per role table ('' or a tenant with its own roles): the roles that grant it. */
  granting: ReadonlyMap<string, ReadonlySet<string>>;
}

export interface RoutePlan {
  routeId: string;
  routeIndex: number;
  deny: DenyPlan[];
  tenants?: ReadonlySet<string>;
  roles?: readonly string[];
  /** Requirements by method; '*' for the methods not listed. */
  require: ReadonlyMap<string, Requirement[]>;
  conditions: CompiledCondition[];
  owner?: OwnerPlan;
  needsBody: boolean;
}

const NONE: Requirement[] = [];

export function requirementsFor(plan: RoutePlan, method: string): Requirement[] {
  return plan.require.get(method) ?? (method === 'HEAD' ? plan.require.get('GET') : undefined) ?? plan.require.get('*') ?? NONE;
}

export function compileRoutePlan(config: Config, index: number, roles: Roles, rc: RefContext): RoutePlan {
  const route = config.routes[index];
  const a = route.authz!;
  const at = (...p: (string | number)[]) => ['routes', index, 'authz', ...p];
  if (!route.authn) throw new ConfigPathError(`route ${route.id} has authz but no authn: authorization needs an authenticated caller (add authn: [apiKey] or another entry)`, ['routes', index, 'authz']);

  const defined = roles.names();
  a.roles?.forEach((r, j) => {
    if (!defined.has(r)) throw new ConfigPathError(unknownRole(r, defined), at('roles', j));
  });

  const conds = (list: ConditionConfig[], path: (string | number)[]) =>
    list.map((c, j) => {
      checkParamRefs(c, route, [...path, j]);
      return compileCondition(c, [...path, j], rc, `conditions[${j}]`);
    });
  const conditions = conds(a.conditions, at('conditions'));
  const checkRole = (r: string, p: (string | number)[]) => {
    if (defined.size > 0 && !defined.has(r)) throw new ConfigPathError(unknownRole(r, defined), p);
  };
  const deny: DenyPlan[] = a.deny.map((d, j) =>
    compileDenyRule(d, { kind: 'route' }, at('deny', j), {
      rc,
      routes: [route],
      // except.roles is checked against the defined roles (a typo would exempt nobody); a route rule's roles are left as they always were.
      checkRole: (r, p) => (p.includes('except') ? checkRole(r, p) : undefined),
    }),
  );
  const owner = a.owner && compileOwner(a.owner, config, index);
  return {
    routeId: route.id,
    routeIndex: index,
    deny,
    tenants: a.tenants && new Set(a.tenants),
    roles: a.roles,
    require: requirements(route, index, roles),
    conditions,
    owner,
    needsBody: [...conditions, ...deny.flatMap((d) => d.when)].some((c) => c.needsBody) || (owner?.needsBody ?? false),
  };
}

function requirements(route: RouteConfig, index: number, roles: Roles): Map<string, Requirement[]> {
  const req = route.authz!.require;
  const path = ['routes', index, 'authz', 'require'];
  const out = new Map<string, Requirement[]>();
  if (req === undefined) return out;
  const compile = (perms: string[], p: (string | number)[]) =>
    perms.map((permission, j) => {
      const granting = roles.granting(permission);
      if (![...granting.values()].some((s) => s.size > 0)) {
        throw new ConfigPathError(`no role grants ${permission}, so no caller could pass: add it to a role under roles (or a tenant's roles)`, [...p, j]);
      }
      return { permission, covering: new Set(coveringGrants(permission)), granting };
    });
  if (Array.isArray(req)) {
    out.set('*', compile(req, path));
    return out;
  }
  for (const [method, perms] of Object.entries(req)) out.set(method, compile(perms, [...path, method]));
  if (!out.has('*')) {
    // Every method the route serves needs its entry: a method left out would require nothing.
    const methods = route.methods ? [...route.methods] : undefined;
    if (!methods) throw new ConfigPathError('the route serves every method: list * in require for the methods not named', path);
    const uncovered = methods.filter((m) => !out.has(m));
    if (uncovered.length) throw new ConfigPathError(`require names no permissions for ${uncovered.join(', ')}, which the route serves: add them (or *); [] means nothing is required`, path);
  }
  return out;
}

function unknownRole(role: string, defined: Set<string>): string {
  const guess = closest(role, [...defined]);
  return `role ${JSON.stringify(role)} is not defined under roles (defined: ${[...defined].join(', ') || 'none'})${guess ? `; did you mean "${guess}"?` : ''}`;
}

export { unknownRole, type DenyPlan };
