import type { Denial, Evidence, Fix } from '../../decision/types.ts';
import type { Identity } from '../authn/types.ts';
import type { EvalContext } from '../../pipeline/types.ts';
import type { CompiledCondition, Failure } from './conditions.ts';
import { originPath, type DenyPlan } from './deny.ts';
import type { OwnerRead, OwnerSource } from './owner.ts';

/**
 * The refusals of the authz layer. Each says to the operator (detail, fixes) the smallest
 * change that would let the request through, and to the caller (hint, extensions) what is
 * missing about its own request and account, never anything about a resource or another
 * tenant that an outsider could not know.
 */

/** Where a refusal happened: the route and the request line, for details. */
export interface Site {
  routeId: string;
  routeIndex: number;
  method: string;
  pattern: string;
}

export function site(ctx: EvalContext, routeIndex: number): Site {
  return { routeId: ctx.route!.id, routeIndex, method: ctx.req.method, pattern: ctx.match?.entry.pattern ?? ctx.req.path };
}

const routeText = (s: Site) => `route ${s.routeId} (${s.method} ${s.pattern})`;
const list = (xs: readonly string[]) => (xs.length ? xs.join(', ') : 'none');
const fix = (who: Fix['who'], action: string, retryable = false, retryAfterS?: number): Fix =>
  retryAfterS === undefined ? { who, action, proved: false, retryable } : { who, action, proved: false, retryable, retryAfterS };

/** "key pk_AbC…", "token jti:42 (jwt:main)", "the password of acme-app". */
export function credentialText(id: Identity): string {
  if (id.via === 'apiKey') return `key ${id.credential}`;
  if (id.via === 'basic') return `the password of ${id.consumer}`;
  if (id.via === 'session') return `the session of ${id.consumer}`;
  return `token ${id.credential} (${id.via})`;
}

export function explicitDeny(s: Site, rule: DenyPlan, evidence: Evidence[]): Denial {
  const o = rule.origin;
  const at = originPath(o, s.routeIndex);
  const declared = o.kind === 'gateway' ? `gateway deny rule ${rule.id} (${at})` : o.kind === 'tenant' ? `deny rule ${rule.id} of tenant ${o.tenant} (${at})` : `deny rule ${rule.id} of ${routeText(s)}`;
  const ruleId = o.kind === 'gateway' ? `authz.deny.${rule.id}` : o.kind === 'tenant' ? `tenants.${o.tenant}.deny.${rule.id}` : `route:${s.routeId}:authz.deny.${rule.id}`;
  return {
    code: 'authz.explicit_deny',
    ruleId,
    ruleName: rule.id,
    detail: `${declared} matched${o.kind === 'route' ? '' : ` on ${routeText(s)}`}${rule.reason ? `: ${rule.reason}` : ''}; deny rules win over every allow`,
    hint: 'This request is blocked by a rule of the API owner; sending it again will not help.',
    evidence,
    fixes: [fix('operator', `Remove or narrow deny rule ${rule.id} (${at}) once its reason no longer holds${rule.except ? '' : ', or exempt callers with except'}.`)],
    extensions: { rule: rule.id },
  };
}

export function tenantNotAllowed(s: Site, id: Identity, by: 'route' | 'tenant', allowed: readonly string[]): Denial {
  const tenant = id.tenant ?? '(none)';
  const detail =
    by === 'route'
      ? `${routeText(s)} serves the tenants ${list(allowed)}; consumer ${id.consumer} is of tenant ${tenant}`
      : `tenant ${tenant} may use only the routes ${list(allowed)} (tenants.${tenant}.routes); ${routeText(s)} is not among them`;
  const action =
    by === 'route'
      ? `Add ${tenant} to routes[${s.routeIndex}].authz.tenants if its consumers should use ${s.routeId}.`
      : `Add ${s.routeId} to tenants.${tenant}.routes if its consumers should use it.`;
  return {
    code: 'authz.tenant_not_allowed',
    ruleId: by === 'route' ? `route:${s.routeId}:authz.tenants` : `tenants.${tenant}.routes`,
    detail,
    hint: 'This API is not available to your organisation.',
    evidence: [{ where: 'tenant', expected: by === 'route' ? `one of ${list(allowed)}` : `a tenant whose routes include ${s.routeId}`, observed: tenant }],
    fixes: [fix('operator', action)],
  };
}

export function roleMissing(s: Site, id: Identity, required: readonly string[]): Denial {
  return {
    code: 'authz.role_missing',
    ruleId: `route:${s.routeId}:authz.roles`,
    detail: `${routeText(s)} requires one of the roles ${list(required)}; consumer ${id.consumer} holds ${list(id.roles)}`,
    hint: `This request needs one of the roles ${required.join(', ')}; your account has none of them.`,
    evidence: [{ where: 'roles', expected: `one of ${list(required)}`, observed: list(id.roles) }],
    fixes: [
      fix('tenant_admin', `Give ${id.consumer} one of the roles ${required.join(', ')} (consumers.${id.consumer}.roles).`),
      fix('client', `Ask the API owner for one of the roles ${required.join(', ')}.`),
    ],
    extensions: { required_roles: [...required] },
  };
}

export interface PermissionGap {
  permission: string;
  /** Roles of the caller's role table that grant it. */
  granting: readonly string[];
}

export function permissionMissing(s: Site, id: Identity, required: readonly string[], gaps: PermissionGap[], roleSource: (role: string) => string, scopesAlsoMissing: readonly string[]): Denial {
  const held = id.roles;
  const parts = gaps.map((g) => {
    const lacking = held.length ? held.map((r) => `role ${r} lacks ${g.permission}`).join(', ') : `${id.consumer} holds no role`;
    return `${lacking}; roles that grant it: ${g.granting.length ? g.granting.join(', ') : 'none'}`;
  });
  const also = scopesAlsoMissing.length ? `; the ${credentialText(id)} also lacks the scope ${scopesAlsoMissing.join(', ')}` : '';
  const fixes: Fix[] = [];
  for (const g of gaps) {
    if (g.granting.length) fixes.push(fix('tenant_admin', `Give ${id.consumer} one of the roles ${g.granting.join(', ')} (consumers.${id.consumer}.roles).`));
    else fixes.push(fix('operator', `No role grants ${g.permission}: add it to a role's permissions (${roleSource('<role>')}.permissions) and give that role to ${id.consumer}.`));
    for (const r of held) fixes.push(fix('operator', `Or add ${g.permission} to ${roleSource(r)}.permissions, if every holder of ${r} should have it.`));
  }
  fixes.push(fix('client', `Ask the API owner for a role that grants ${gaps.map((g) => g.permission).join(', ')}.`));
  const missing = gaps.map((g) => g.permission);
  return {
    code: 'authz.permission_missing',
    ruleId: `route:${s.routeId}:authz.require`,
    detail: `consumer ${id.consumer} (roles ${list(held)}) lacks ${missing.join(', ')}, which ${routeText(s)} requires: ${parts.join('; ')}${also}`,
    hint: `Your account lacks the permission ${missing.join(', ')} that this request needs.`,
    evidence: gaps.map((g) => ({ where: 'roles', expected: `a role granting ${g.permission} (${list(g.granting)})`, observed: list(held) })),
    fixes,
    extensions: { required: [...required], missing },
  };
}

export function scopeMissing(s: Site, id: Identity, required: readonly string[], missing: readonly string[], bearer: { realm: string } | undefined): Denial {
  const cred = credentialText(id);
  const scopes = id.scopes;
  const isKey = id.via === 'apiKey';
  const fixes: Fix[] = isKey
    ? [
        fix('key_owner', `Create a key for ${id.consumer} with the scopes ${[...new Set([...scopes, ...missing])].join(',')} (pinpoint keys create --consumer ${id.consumer} --scopes ${[...new Set([...scopes, ...missing])].join(',')}) and use it in place of ${id.credential}.`),
        fix('client', `Use a key that has the scope ${missing.join(', ')}.`),
      ]
    : [
        fix('client', `Request a token with the scope ${missing.join(' ')} and send it instead.`),
        fix('operator', `Let ${id.consumer} obtain the scope ${missing.join(' ')} at the token issuer (${id.via}).`),
      ];
  const headers = bearer ? { 'www-authenticate': `Bearer realm="${bearer.realm}", error="insufficient_scope", scope="${required.join(' ')}"` } : undefined;
  return {
    code: 'authz.scope_missing',
    ruleId: `route:${s.routeId}:authz.require`,
    detail: `${cred} has scopes [${scopes.join(', ')}]; ${routeText(s)} requires ${missing.join(', ')}: ${isKey ? `add scope ${missing.join(', ')} to the key, or use a key that has it` : `the token must carry scope ${missing.join(' ')}`}`,
    hint: `This request needs the scope ${missing.join(', ')}; your ${isKey ? 'key' : 'token'} has ${scopes.length ? scopes.join(', ') : 'no scopes'}.`,
    evidence: [{ where: 'credential:scopes', expected: `${missing.join(', ')} (or a wildcard that covers it)`, observed: `[${scopes.join(', ')}]` }],
    fixes,
    headers,
    extensions: { required: [...required], granted: [...scopes] },
  };
}

export function conditionFailed(s: Site, c: CompiledCondition, f: Failure): Denial {
  const e = f.evidence[0];
  return {
    code: 'authz.condition_failed',
    ruleId: `route:${s.routeId}:authz.conditions.${c.id}`,
    ruleName: c.id,
    detail: `condition ${c.id} (${c.text}) of ${routeText(s)} does not hold: ${e.where} is ${e.observed}, expected ${e.expected}`,
    hint: c.hint,
    evidence: f.evidence,
    fixes: [
      fix('client', `Send a request that meets condition ${c.id}: ${c.hint}`, f.retryAfterS !== undefined, f.retryAfterS),
      fix('operator', `Change condition ${c.id} (routes[${s.routeIndex}].authz.conditions) if such requests should pass.`),
    ],
    extensions: { condition: c.id },
  };
}

export function ownerUnclear(s: Site, source: OwnerSource, read: { unclear: string; observed: string }): Denial {
  return {
    code: 'authz.owner_unclear',
    ruleId: `route:${s.routeId}:authz.owner`,
    detail: `${read.unclear} (${source.where}: ${read.observed}); ${routeText(s)} checks the owner, and an ambiguous form is refused rather than read one way while the upstream may read it another`,
    hint: `The request names the resource in ${source.label} in a form that can be read more than one way (${read.unclear}); send it plainly, once.`,
    evidence: [{ where: source.where, expected: 'one plain value', observed: read.observed }],
    fixes: [fix('client', `Send ${source.label} plainly: once, without percent-encoding letters or digits, without encoded slashes.`)],
  };
}

export interface OwnerMismatch {
  where: string;
  /** What was found, already shown (quoted, cut short); "no such resource" for a lookup 404. */
  observed: string;
  is: 'consumer' | 'tenant';
  /** Roles of the caller's tenant that may act for other consumers (for the fix). */
  actingRoles: readonly string[];
  /** The owner is a consumer of the caller's tenant (only then can a role act for it). */
  sameTenant: boolean;
}

/**
 * Not the caller's resource, another tenant's, or (lookup) no such resource: one hint for
 * all, so a caller learns nothing about what exists or whose it is.
 */
export function notOwner(s: Site, id: Identity, m: OwnerMismatch): Denial {
  const tenantCheck = m.is === 'tenant';
  const fixes: Fix[] = [fix('client', 'Act only on resources of your own account.')];
  if (!tenantCheck && m.sameTenant) {
    fixes.push(
      fix(
        'tenant_admin',
        m.actingRoles.length
          ? `If ${id.consumer} should act for other consumers of ${id.tenant}, give it one of the roles ${m.actingRoles.join(', ')} (actFor: tenant).`
          : `If ${id.consumer} should act for other consumers of ${id.tenant}, give it a role with actFor: tenant (none is defined).`,
      ),
    );
  }
  return {
    code: tenantCheck ? 'authz.other_tenant' : 'authz.not_owner',
    ruleId: `route:${s.routeId}:authz.owner`,
    detail: tenantCheck
      ? `the resource of ${routeText(s)} belongs to tenant ${m.observed} (${m.where}); the caller ${id.consumer} is of tenant ${id.tenant ?? '(none)'}`
      : `the resource of ${routeText(s)} belongs to ${m.observed} (${m.where}), not to the caller ${id.consumer}${m.sameTenant ? '' : ' nor to a consumer of its tenant'}`,
    hint: 'This resource is not available to your account.',
    evidence: [{ where: m.where, expected: tenantCheck ? `tenant ${id.tenant ?? '(none)'}` : `consumer ${id.consumer}`, observed: m.observed }],
    fixes,
  };
}

export function ownerUnavailable(s: Site, reason: string, via: 'lookup' | 'store' = 'lookup'): Denial {
  const lookup = via === 'lookup';
  return {
    code: 'authz.owner_unavailable',
    ruleId: `route:${s.routeId}:authz.owner.${via}`,
    detail: `${routeText(s)} checks the owner ${lookup ? 'with a lookup' : 'in the ownership records'}, which failed: ${reason}; refused (fail closed)`,
    hint: 'The gateway could not check who owns this resource. Try again shortly.',
    evidence: [{ where: lookup ? 'owner lookup' : 'ownership records', expected: lookup ? 'an answer with the owner, or 404' : 'the record, or none', observed: reason }],
    fixes: [
      fix('client', 'Send the request again in a few seconds.', true, 5),
      lookup
        ? fix('operator', `Check that the owner lookup of routes[${s.routeIndex}].authz.owner.lookup answers (service up, path right, JSON with the owner field).`)
        : fix('operator', 'Check that the ownership store (store.file) can be read: the gateway\'s log says what failed.'),
    ],
    headers: { 'retry-after': '5' },
  };
}

export type { OwnerRead };
