import type { IntrospectionConfig } from '../../../config/schema.ts';
import { looksLikeKey } from '../api-key/format.ts';
import { credentialLabel, identityFromClaims, type IsDeclared } from '../jwt/claims.ts';
import { bearerChallenge, tokenDenial } from '../jwt/denial.ts';
import { malformedRefusal } from '../jwt/refusals.ts';
import { TokenCache } from '../jwt/token-cache.ts';
import { withTried, type Identity, type Presented, type Verifier, type VerifyResult } from '../types.ts';
import { basicAuthorization, introspect, type Answer, type EndpointClient } from './client.ts';

/**
 * Answers kept per endpoint, each for cacheTtlS (active) or negativeCacheTtlS (inactive). Two
 * caches, so a flood of made-up tokens evicts only other made-up tokens, never active ones.
 */
const CACHE_ENTRIES = 10_000;

type Cached = { active: true; identity: Readonly<Identity> } | { active: false; credential: string };

/** Thrown at compile time when the client secret's variable is not set: the load fails at that line. */
export class MissingSecretError extends Error {
  constructor(
    message: string,
    readonly path: (string | number)[],
  ) {
    super(message);
  }
}

/**
 * The verifier of a route's `introspection:<name>` entry: asks the endpoint whether the token
 * is active (RFC 7662), with a short positive and negative cache and one call in flight per
 * token. Accepts any bearer token that is not an API key: opaque tokens and JWTs alike.
 */
export function introspectionVerifier(name: string, config: IntrospectionConfig, realm: string, isDeclared: IsDeclared, env: NodeJS.ProcessEnv): Verifier {
  const secret = env[config.clientSecretEnv];
  if (secret === undefined || secret === '') {
    throw new MissingSecretError(
      `environment variable ${config.clientSecretEnv} (the client secret for introspection endpoint ${name}) is not set`,
      ['authn', 'introspection', name, 'clientSecretEnv'],
    );
  }
  const client: EndpointClient = { endpoint: config.endpoint, authorization: basicAuthorization(config.clientId, secret), timeoutMs: config.timeoutMs };
  const via = `introspection:${name}`;
  const mapping = { consumerClaim: config.consumerClaim, tenantClaim: config.tenantClaim, scopeClaims: ['scope'] };
  const active = new TokenCache<Cached>(CACHE_ENTRIES);
  const inactive = new TokenCache<Cached>(CACHE_ENTRIES);
  const inFlight = new Map<string, Promise<Answer>>();

  function conclude(c: Cached): VerifyResult {
    if (c.active) return { ...c.identity };
    return withTried(tokenDenial(realm, {
      code: 'authn.token_inactive',
      ruleId: `authn.introspection.${name}`,
      detail: `introspection endpoint ${name} answered active: false for token ${c.credential} (expired, revoked, or not issued by that server)`,
      hint: 'The token is not active: it expired, was revoked, or was not issued for this API. Request a new token.',
      evidence: [{ where: via, expected: 'active: true', observed: 'active: false' }],
    }), c.credential);
  }

  function judge(key: string, answer: Answer): VerifyResult {
    const now = Date.now();
    const fingerprint = `sha256:${key.slice(0, 12)}`;
    if (!answer.ok) {
      return withTried(tokenDenial(realm, {
        code: 'authn.issuer_unavailable',
        ruleId: `authn.introspection.${name}.endpoint`,
        detail: `introspection endpoint ${name} (${config.endpoint}) could not judge token ${fingerprint}: ${answer.reason}; refused unchecked (fail closed)`,
        hint: 'The token could not be checked right now. Retry in a few seconds.',
        evidence: [{ where: via, expected: 'an RFC 7662 answer with 200', observed: answer.reason }],
        fixes: [{ who: 'operator', action: `Make ${config.endpoint} reachable and check authn.introspection.${name}.clientId and ${config.clientSecretEnv}.`, proved: false, retryable: false }],
      }), fingerprint);
    }
    const body = answer.body;
    const credential = credentialLabel(body, fingerprint);
    if (body.active !== true) {
      const c: Cached = { active: false, credential };
      inactive.set(key, c, now + config.negativeCacheTtlS * 1000, now);
      return conclude(c);
    }
    const identity = identityFromClaims(body, mapping, via, isDeclared, credential);
    if (!identity) {
      const r = malformedRefusal(`authn.introspection.${name}.consumerClaim`, `token ${credential}`, `a ${config.consumerClaim} member naming the consumer`, `an answer without ${config.consumerClaim}`);
      r.fixes = [{ who: 'operator', action: `Set authn.introspection.${name}.consumerClaim to the member of the endpoint's answers that names the caller.`, proved: false, retryable: false }];
      return withTried(tokenDenial(realm, r), credential);
    }
    const exp = typeof body.exp === 'number' ? body.exp * 1000 : Infinity;
    active.set(key, { active: true, identity: Object.freeze({ ...identity }) }, Math.min(now + config.cacheTtlS * 1000, exp), now);
    return identity;
  }

  return {
    name: via,
    challenge: bearerChallenge(realm),
    accepts: (p: Presented) => p.kind === 'bearer' && !looksLikeKey(p.value),
    verify(p: Presented): VerifyResult | Promise<VerifyResult> {
      const key = TokenCache.key(p.value);
      const now = Date.now();
      const hit = active.get(key, now) ?? inactive.get(key, now);
      if (hit) return conclude(hit);
      let pending = inFlight.get(key);
      if (!pending) {
        pending = introspect(client, p.value).finally(() => inFlight.delete(key));
        inFlight.set(key, pending);
      }
      return pending.then((answer) => judge(key, answer));
    },
  };
}
