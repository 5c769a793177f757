import type { Identity } from '../types.ts';
import { shown } from './decode.ts';

/** Which claims (of a verified token or an introspection answer) say who the caller is. */
export interface ClaimMapping {
  consumerClaim: string;
  tenantClaim?: string;
  scopeClaims: readonly string[];
  rolesClaim?: string;
}

/** The declared consumer a subject of this token source is, if any (Directory.subject, bound to the source). */
export type IsDeclared = (subject: string) => string | undefined;

/**
 * The identity a set of trusted claims describes. A subject declared in the config for this
 * token source resolves to its consumer, so the Directory can admit it with its tenant and
 * roles; any other subject is namespaced by the verifier (`jwt:main:<sub>`), so one issuer
 * cannot pass for another's subjects. Undefined when the consumer claim is missing.
 */
export function identityFromClaims(claims: Record<string, unknown>, map: ClaimMapping, via: string, isDeclared: IsDeclared, credential: string): Identity | undefined {
  const subject = scalar(claim(claims, map.consumerClaim));
  if (subject === undefined) return undefined;
  const tenant = map.tenantClaim ? scalar(claim(claims, map.tenantClaim)) : undefined;
  const scopes = new Set<string>();
  for (const name of map.scopeClaims) for (const s of words(claim(claims, name))) scopes.add(s);
  const exp = claims.exp;
  return {
    consumer: isDeclared(subject) ?? `${via}:${subject}`,
    tenant,
    credential,
    via,
    scopes: [...scopes],
    roles: map.rolesClaim ? words(claim(claims, map.rolesClaim)) : [],
    expiresAt: typeof exp === 'number' ? exp : undefined,
  };
}

/**
 * How a token is named in logs and decisions: its `jti`, else its `sub`, else the fallback (a
 * fingerprint). None is a secret; the token is never shown.
 */
export function credentialLabel(claims: Record<string, unknown>, fallback: string): string {
  const jti = scalar(claims.jti);
  if (jti !== undefined) return `jti:${shown(jti, 64)}`;
  const sub = scalar(claims.sub);
  return sub !== undefined ? `sub:${shown(sub, 64)}` : fallback;
}

/**
 * A claim by name; a name with dots that is not itself a claim is read as a path
 * (`realm_access.roles`), while namespaced names (`https://example.com/roles`) are found as they are.
 */
function claim(claims: Record<string, unknown>, name: string): unknown {
  if (Object.hasOwn(claims, name) || !name.includes('.')) return claims[name];
  let v: unknown = claims;
  for (const step of name.split('.')) {
    if (typeof v !== 'object' || v === null || Array.isArray(v) || !Object.hasOwn(v, step)) return undefined;
    v = (v as Record<string, unknown>)[step];
  }
  return v;
}

function scalar(v: unknown): string | undefined {
  if (typeof v === 'string' && v !== '') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** Scopes and roles: a space-separated string (RFC 8693 `scope`) or an array of strings (`scp`). */
function words(v: unknown): string[] {
  if (typeof v === 'string') return v.split(' ').filter((w) => w !== '');
  if (Array.isArray(v)) return v.filter((w): w is string => typeof w === 'string' && w !== '');
  return [];
}
