import type { Config } from '../../config/schema.ts';
import type { Denial, Evidence } from '../../decision/types.ts';
import type { EvalContext, Layer, LayerResult } from '../../pipeline/types.ts';
import { SKIP } from '../../pipeline/types.ts';
import type { Identity } from '../authn/types.ts';
import { denyMatches, holdsAny, type DenyPlan } from './deny.ts';
import * as deny from './denials.ts';
import { ConfigPathError } from './errors.ts';
import { compileLockdown } from './lockdown.ts';
import { createOwnerLookups, type OwnerLookups } from './lookup.ts';
import { actingRoles, lookupRequest, type StorePlan } from './owner.ts';
import type { OwnerRecords } from './owner-records.ts';
import type { OwnerRecord } from '../../store/owners.ts';
import { carriesScopes, Roles, scopesCover } from './permissions.ts';
import { compileRoutePlan, requirementsFor, unknownRole, type RoutePlan } from './plan.ts';
import { consumerAttributes, Inputs, refContext, shown, type Attributes } from './references.ts';

/** What the authz layer needs from outside the config, injected by the runtime. */
export interface AuthzDeps {
  /** Ownership lookups and their cache (kept across config reloads); one is made when absent. */
  lookups?: OwnerLookups;
  /** The clock of time conditions (epoch ms); default Date.now. */
  now?: () => number;
  /**
   * The ownership records (owner.store reads them, owner.record writes them, after the
   * response: src/server/owner-record.ts). Without them an owner.store check refuses with 503.
   */
  owners?: OwnerRecords;
  /** Where a failed ownership record is reported (default: stderr). */
  report?(message: string): void;
}

export { createOwnerLookups, type OwnerLookups };
export { createOwnerRecords, type OwnerRecords } from './owner-records.ts';

/**
 * The authz layer, compiled from the config; undefined when no route uses it, so that a
 * config without it pays nothing.
 *
 * Order of the checks (the first refusal is the answer): explicit deny rules (the gateway's,
 * the caller's tenant's, the route's), the route's and the tenant's tenant restrictions, required roles, permissions (roles) then scopes (the
 * credential), conditions, ownership (the one part that may call out).
 */
export function authzLayer(config: Config, deps: AuthzDeps = {}): Layer | undefined {
  const lockdownDeclared = config.authz.deny.length > 0 || Object.values(config.tenants).some((t) => t.deny?.length);
  if (!lockdownDeclared && !config.routes.some((r) => r.authz)) return undefined;
  const roles = new Roles(config);
  checkConsumerRoles(config, roles);
  const tenantRoutes = compileTenantRoutes(config);
  const rc = refContext(config);
  const defined = roles.names();
  const lockdown = compileLockdown(config, rc, (role, path) => {
    if (defined.size > 0 && !defined.has(role)) throw new ConfigPathError(unknownRole(role, defined), path);
  });
  const routeIndex = new Map(config.routes.map((r, i) => [r.id, i]));
  const plans = new Map<string, RoutePlan>();
  config.routes.forEach((r, i) => {
    if (r.authz) plans.set(r.id, compileRoutePlan(config, i, roles, rc));
  });
  const attributes: Attributes = consumerAttributes(config);
  const tenantOf = new Map(Object.entries(config.consumers).map(([n, c]) => [n, c.tenant]));
  const acting = actingRoles(roles.keys().map((k) => [k, roles.table(k)] as const));
  const usesLookup = [...plans.values()].some((p) => p.owner?.lookup);
  const usesStore = [...plans.values()].some((p) => p.owner?.store);
  const lookups = usesLookup ? (deps.lookups ?? createOwnerLookups()) : undefined;
  const owners = deps.owners;
  const now = deps.now ?? Date.now;
  const realm = config.authn.realm;
  const keyHeader = config.authn.apiKeys.header.toLowerCase();
  const roleSource = (key: string) => (role: string) => (key !== '' && config.tenants[key]?.roles?.[role] ? `tenants.${key}.roles.${role}` : `roles.${role}`);

  return {
    name: 'authz',
    // Only a config with ownership lookups (or records) calls out; then the layer is not run on a request already refused.
    callsOut: usesLookup || usesStore || undefined,
    needsBody: (route) => (plans.get(route.id)?.needsBody ?? false) || lockdown.needsBody.has(route.id),
    evaluate(ctx: EvalContext): LayerResult | Promise<LayerResult> {
      const route = ctx.route;
      if (!route) return SKIP;
      const plan = plans.get(route.id);
      if (!plan && !lockdown.covered.has(route.id)) return undefined;
      const id = ctx.identity;
      if (!id) return SKIP; // authn refused: there is nobody to authorize
      let inputs: Inputs | undefined;
      const inp = () => (inputs ??= new Inputs(ctx, attributes));
      const t = now();

      const refused =
        firstDeny(lockdown.gateway.get(route.id), ctx, id, inp, t) ??
        (id.tenant === undefined ? undefined : firstDeny(lockdown.tenants.get(id.tenant)?.get(route.id), ctx, id, inp, t)) ??
        firstDeny(plan?.deny, ctx, id, inp, t);
      if (refused) return deny.explicitDeny(deny.site(ctx, routeIndex.get(route.id)!), refused.rule, refused.evidence);
      if (!plan) return undefined;
      if (plan.tenants && (id.tenant === undefined || !plan.tenants.has(id.tenant))) {
        return deny.tenantNotAllowed(deny.site(ctx, plan.routeIndex), id, 'route', [...plan.tenants]);
      }
      const allowed = id.tenant === undefined ? undefined : tenantRoutes.get(id.tenant);
      if (allowed && !allowed.has(plan.routeId)) return deny.tenantNotAllowed(deny.site(ctx, plan.routeIndex), id, 'tenant', [...allowed]);
      if (plan.roles && !plan.roles.some((r) => id.roles.includes(r))) return deny.roleMissing(deny.site(ctx, plan.routeIndex), id, plan.roles);

      const reqs = requirementsFor(plan, ctx.req.method);
      if (reqs.length) {
        const key = roles.tableKey(id.tenant);
        const scoped = carriesScopes(id.via);
        let gaps: deny.PermissionGap[] | undefined;
        let unscoped: string[] | undefined;
        for (const r of reqs) {
          const granting = r.granting.get(key)!;
          if (!holdsAny(id.roles, granting)) (gaps ??= []).push({ permission: r.permission, granting: [...granting] });
          if (scoped && !scopesCover(id.scopes, r.covering)) (unscoped ??= []).push(r.permission);
        }
        if (gaps) return deny.permissionMissing(deny.site(ctx, plan.routeIndex), id, permissions(reqs), gaps, roleSource(key), unscoped ?? []);
        if (unscoped) return deny.scopeMissing(deny.site(ctx, plan.routeIndex), id, permissions(reqs), unscoped, isBearer(ctx, id, keyHeader) ? { realm } : undefined);
      }

      for (const c of plan.conditions) {
        const failure = c.check(inp(), t);
        if (failure) return deny.conditionFailed(deny.site(ctx, plan.routeIndex), c, failure);
      }
      return plan.owner ? checkOwner(ctx, id, plan, inp()) : undefined;
    },
  };

  function checkOwner(ctx: EvalContext, id: Identity, plan: RoutePlan, inputs: Inputs): LayerResult | Promise<LayerResult> {
    const o = plan.owner!;
    for (const source of o.sources) {
      const read = source.read(inputs);
      if ('unclear' in read) return deny.ownerUnclear(deny.site(ctx, plan.routeIndex), source, read);
      const refused = compareOwner(ctx, id, plan, read.value, source.where);
      if (refused) return refused;
    }
    if (o.store) return checkStoredOwner(ctx, id, plan, o.store, inputs);
    if (!o.lookup) return undefined;
    const request = lookupRequest(o.lookup, inputs, ctx.dryRun === true);
    if ('read' in request) return deny.ownerUnclear(deny.site(ctx, plan.routeIndex), request.source, request.read);
    return lookups!.owner(request).then((answer): LayerResult => {
      const where = `lookup:${o.lookup!.service}${request.path}`;
      if (answer.kind === 'failed') return deny.ownerUnavailable(deny.site(ctx, plan.routeIndex), answer.reason);
      if (answer.kind === 'not_found') {
        // Answered exactly as someone else's resource: the caller learns nothing about what exists.
        const observed = `no such resource (${answer.status}${answer.cached ? ', cached' : ''})`;
        return deny.notOwner(deny.site(ctx, plan.routeIndex), id, { where, observed, is: o.is, actingRoles: [], sameTenant: false });
      }
      return compareOwner(ctx, id, plan, answer.owner, where);
    });
  }

  function checkStoredOwner(ctx: EvalContext, id: Identity, plan: RoutePlan, store: StorePlan, inputs: Inputs): LayerResult | Promise<LayerResult> {
    const read = store.id.read(inputs);
    if ('unclear' in read) return deny.ownerUnclear(deny.site(ctx, plan.routeIndex), store.id, read);
    if (!owners) return deny.ownerUnavailable(deny.site(ctx, plan.routeIndex), 'no ownership store is open in this process', 'store');
    const where = `store:${store.resource}/${shown(undefined, read.value)}`;
    return owners.find(store.resource, read.value, store, ctx.dryRun === true).then((answer): LayerResult => {
      if (answer.kind === 'failed') return deny.ownerUnavailable(deny.site(ctx, plan.routeIndex), answer.reason, 'store');
      if (answer.kind === 'missing') {
        // Answered exactly as someone else's resource: no caller learns what exists.
        return deny.notOwner(deny.site(ctx, plan.routeIndex), id, { where, observed: `no ownership record${answer.cached ? ' (cached)' : ''}`, is: plan.owner!.is, actingRoles: [], sameTenant: false });
      }
      const refused = compareRecorded(ctx, id, plan, answer.record, where);
      // The owner may delete it: once the upstream confirms (2xx), the server removes the record.
      if (!refused && store.release.has(ctx.req.method)) ctx.ownerRelease = { resource: store.resource, id: read.value };
      return refused;
    });
  }

  /** A recorded owner: of the caller's tenant always (no role crosses tenants), then the caller or one its role acts for. */
  function compareRecorded(ctx: EvalContext, id: Identity, plan: RoutePlan, r: OwnerRecord, where: string): Denial | undefined {
    const is = plan.owner!.is;
    const observed = is === 'tenant' ? shown(undefined, r.tenant ?? '(none)') : `${shown(undefined, r.consumer)} of tenant ${r.tenant ?? '(none)'}`;
    if (r.tenant !== id.tenant) return deny.notOwner(deny.site(ctx, plan.routeIndex), id, { where, observed, is, actingRoles: [], sameTenant: false });
    if (is === 'tenant' || r.consumer === id.consumer) return undefined;
    const mayAct = acting.get(roles.tableKey(id.tenant))!;
    if (holdsAny(id.roles, mayAct)) return undefined;
    return deny.notOwner(deny.site(ctx, plan.routeIndex), id, { where, observed, is, actingRoles: [...mayAct], sameTenant: true });
  }

  function compareOwner(ctx: EvalContext, id: Identity, plan: RoutePlan, owner: string, where: string): Denial | undefined {
    const is = plan.owner!.is;
    if (is === 'tenant') {
      if (owner === id.tenant) return undefined;
      return deny.notOwner(deny.site(ctx, plan.routeIndex), id, { where, observed: shown(undefined, owner), is, actingRoles: [], sameTenant: false });
    }
    if (owner === id.consumer) return undefined;
    const key = roles.tableKey(id.tenant);
    const mayAct = acting.get(key)!;
    const sameTenant = id.tenant !== undefined && tenantOf.get(owner) === id.tenant;
    if (sameTenant && holdsAny(id.roles, mayAct)) return undefined; // a role that acts for the tenant's consumers
    return deny.notOwner(deny.site(ctx, plan.routeIndex), id, { where, observed: shown(undefined, owner), is, actingRoles: [...mayAct], sameTenant });
  }
}

function permissions(reqs: readonly { permission: string }[]): string[] {
  return reqs.map((r) => r.permission);
}

/** The first rule of a list that matches, with its evidence. */
function firstDeny(rules: readonly DenyPlan[] | undefined, ctx: EvalContext, id: Identity, inputs: () => Inputs, now: number): { rule: DenyPlan; evidence: Evidence[] } | undefined {
  if (!rules) return undefined;
  for (const rule of rules) {
    const evidence = denyMatches(rule, ctx, id, inputs, now);
    if (evidence) return { rule, evidence };
  }
  return undefined;
}

/** RFC 6750 §3.1: insufficient_scope goes to bearer credentials (tokens, or a key sent as a bearer token). */
function isBearer(ctx: EvalContext, id: Identity, keyHeader: string): boolean {
  if (id.via !== 'apiKey') return carriesScopes(id.via);
  const auth = ctx.req.headers.authorization;
  return typeof auth === 'string' && /^bearer /i.test(auth) && ctx.req.headers[keyHeader] === undefined;
}

/** With roles defined, every role a consumer is given must be one of them (a typo would silently grant nothing). */
function checkConsumerRoles(config: Config, roles: Roles): void {
  const defined = roles.names();
  if (defined.size === 0) return;
  for (const [name, c] of Object.entries(config.consumers)) {
    c.roles.forEach((r, j) => {
      if (!defined.has(r)) throw new ConfigPathError(unknownRole(r, defined), ['consumers', name, 'roles', j]);
    });
  }
}

function compileTenantRoutes(config: Config): Map<string, Set<string>> {
  const ids = new Set(config.routes.map((r) => r.id));
  const out = new Map<string, Set<string>>();
  for (const [tenant, t] of Object.entries(config.tenants)) {
    if (!t.routes) continue;
    t.routes.forEach((r, j) => {
      if (!ids.has(r)) throw new ConfigPathError(`tenants.${tenant}.routes names route ${JSON.stringify(r)}, which is not defined`, ['tenants', tenant, 'routes', j]);
    });
    out.set(tenant, new Set(t.routes));
  }
  return out;
}
