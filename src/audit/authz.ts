// Least privilege from what the config requires and what the call log shows was used: scopes a
// key holds but never needed, roles that grant nothing any route requires, deny rules that
// never fired. Permission matching is authz's own (coveringGrants, requirementsFor).
import type { Config } from '../config/schema.ts';
import { keyLabel } from '../layers/authn/api-key/format.ts';
import { coveringGrants } from '../layers/authz/permissions.ts';
import { requirementsFor, type Requirement, type RoutePlan } from '../layers/authz/plan.ts';
import type { StoredKey } from '../store/types.ts';
import type { Finding } from './types.ts';

/** Each route's required permissions by method, in the shape authz's requirementsFor reads. */
function requirementPlans(config: Config): Map<string, RoutePlan> {
  const out = new Map<string, RoutePlan>();
  for (const route of config.routes) {
    const req = route.authz?.require;
    if (req === undefined) continue;
    const compile = (perms: string[]): Requirement[] => perms.map((permission) => ({ permission, covering: new Set(coveringGrants(permission)), granting: new Map() }));
    const require = new Map<string, Requirement[]>(Array.isArray(req) ? [['*', compile(req)]] : Object.entries(req).map(([m, p]) => [m, compile(p)]));
    out.set(route.id, { require } as unknown as RoutePlan);
  }
  return out;
}

function allRequired(config: Config): Set<string> {
  const out = new Set<string>();
  for (const route of config.routes) {
    const req = route.authz?.require;
    if (req === undefined) continue;
    for (const perms of Array.isArray(req) ? [req] : Object.values(req)) for (const p of perms) out.add(p);
  }
  return out;
}

export function auditRoles(config: Config): Finding[] {
  const required = [...allRequired(config)];
  const namedByRoutes = new Set(config.routes.flatMap((r) => r.authz?.roles ?? []));
  const out: Finding[] = [];
  const tables: Array<[string, Record<string, { permissions: string[] }>]> = [['', config.roles]];
  for (const [tenant, t] of Object.entries(config.tenants)) if (t.roles) tables.push([tenant, t.roles]);
  for (const [tenant, roles] of tables) {
    for (const [name, role] of Object.entries(roles)) {
      if (namedByRoutes.has(name)) continue;
      const grants = new Set(role.permissions);
      const useful = required.filter((p) => coveringGrants(p).some((g) => grants.has(g)));
      if (useful.length > 0) continue;
      const where = tenant ? `tenant ${tenant}'s role ${name}` : `role ${name}`;
      out.push({
        severity: 'low', check: 'authz.role_grants_nothing', subject: where,
        message: `${where} grants [${role.permissions.join(', ')}], none of which any route requires, and no route requires the role itself`,
        suggestion: `remove ${where} (and take it from its consumers), or fix its permissions to the ones routes require`,
      });
    }
  }
  return out;
}

export function auditScopes(config: Config, keys: readonly StoredKey[], use: ReadonlyArray<{ credential: string; route: string; method: string }>, sinceDays: number): Finding[] {
  const plans = requirementPlans(config);
  const byLabel = new Map<string, Array<{ route: string; method: string }>>();
  for (const u of use) {
    const list = byLabel.get(u.credential) ?? [];
    list.push(u);
    byLabel.set(u.credential, list);
  }
  const out: Finding[] = [];
  for (const k of keys) {
    const label = keyLabel(k.id);
    const used = byLabel.get(label);
    if (!used || k.scopes.length === 0) continue; // never used: the key checks report it
    const exercised = new Set<string>();
    for (const u of used) {
      const plan = plans.get(u.route);
      if (!plan) continue;
      for (const r of requirementsFor(plan, u.method)) for (const s of k.scopes) if (r.covering.has(s)) exercised.add(s);
    }
    const idle = k.scopes.filter((s) => !exercised.has(s));
    if (idle.length === 0) continue;
    const broad = idle.some((s) => s === '*' || s.endsWith(':*'));
    out.push({
      severity: broad ? 'medium' : 'low', check: 'authz.scope_unexercised', subject: label,
      message: `${label} (consumer ${k.consumer}) holds scope${idle.length > 1 ? 's' : ''} [${idle.join(', ')}] that none of its requests of the last ${sinceDays} days needed (it used [${[...exercised].join(', ')}])`,
      suggestion: `issue a key with scopes [${[...exercised].join(', ')}] and rotate to it (pinpoint keys create --consumer ${k.consumer} --scopes ${[...exercised].join(',') || '...'}), then revoke ${label}`,
    });
  }
  return out;
}

export function auditDenyRules(config: Config, hits: ReadonlyMap<string, number>, sinceDays: number): Finding[] {
  const out: Finding[] = [];
  const idle = (ruleId: string, subject: string, owner: string, rule: { id: string; reason?: string }) => {
    if ((hits.get(ruleId) ?? 0) > 0) return;
    out.push({
      severity: 'info', check: 'authz.deny_never_fired', subject,
      message: `deny rule ${rule.id} of ${owner}${rule.reason ? ` ("${rule.reason}")` : ''} has not refused a request in the last ${sinceDays} days`,
      suggestion: `remove it if what it guards against is gone; keep it if it is a standing safeguard`,
    });
  };
  // Rule ids as the authz layer writes them in decisions (src/layers/authz/denials.ts explicitDeny).
  for (const rule of config.authz.deny) idle(`authz.deny.${rule.id}`, `gateway deny ${rule.id}`, 'the gateway (authz.deny)', rule);
  for (const [tenant, t] of Object.entries(config.tenants)) {
    for (const rule of t.deny ?? []) idle(`tenants.${tenant}.deny.${rule.id}`, `tenant ${tenant} deny ${rule.id}`, `tenant ${tenant} (tenants.${tenant}.deny)`, rule);
  }
  for (const route of config.routes) {
    for (const rule of route.authz?.deny ?? []) idle(`route:${route.id}:authz.deny.${rule.id}`, `route ${route.id} deny ${rule.id}`, `route ${route.id}`, rule);
  }
  return out;
}
