import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey, type JWTVerifyOptions } from 'jose';
import type { JwtIssuerConfig } from '../../../config/schema.ts';
import type { Identity } from '../types.ts';
import { identityFromClaims, type IsDeclared } from './claims.ts';
import type { UnverifiedToken } from './decode.ts';
import type { TokenRefusal } from './denial.ts';
import { KeySourceUnavailable, malformedRefusal, refusalFor } from './refusals.ts';

/** Time allowed for the issuer's JWKS endpoint to answer; beyond it the token is refused with 503 (fail closed). */
const JWKS_TIMEOUT_MS = 3000;

/** One configured issuer: its key set (fetched lazily, cached, refetched on an unknown kid) and its checks. */
export interface CompiledIssuer {
  name: string;
  config: JwtIssuerConfig;
  /** `credential` names the token in the identity (jti, sub or fingerprint). */
  verify(token: string, unverified: UnverifiedToken, credential: string): Promise<Identity | TokenRefusal>;
}

export function compileIssuer(name: string, config: JwtIssuerConfig, isDeclared: IsDeclared): CompiledIssuer {
  // cooldownDuration bounds refetches caused by unknown kids (a flood of forged kids costs
  // the issuer at most one fetch per jwksRefreshMinMs); cacheMaxAge refetches keys that aged.
  const remote = createRemoteJWKSet(new URL(config.jwksUri), {
    cooldownDuration: config.jwksRefreshMinMs,
    cacheMaxAge: config.jwksMaxAgeMs,
    timeoutDuration: JWKS_TIMEOUT_MS,
  });
  // Tells "the issuer could not be reached" (fail closed, 503) from "the key set has no such key" (401).
  const getKey: JWTVerifyGetKey = async (header, token) => {
    try {
      return await remote(header, token);
    } catch (err) {
      if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) throw err;
      throw new KeySourceUnavailable(err);
    }
  };
  const options: JWTVerifyOptions = {
    issuer: config.issuer,
    audience: config.audiences,
    algorithms: config.algorithms,
    clockTolerance: config.clockSkewS,
    // An access token without an end would be valid forever (RFC 9068 §2.2 requires exp).
    requiredClaims: ['exp'],
  };
  const via = `jwt:${name}`;

  return {
    name,
    config,
    async verify(token, unverified, credential) {
      const label = `token ${credential}`;
      const refetchable = !remote.coolingDown;
      let claims: Record<string, unknown>;
      try {
        claims = (await jwtVerify(token, getKey, options)).payload;
      } catch (err) {
        const refusal = refusalFor(err, { issuer: name, config, label, token: unverified, refetched: refetchable });
        // jose checks the signature before the claims: a claim error comes with a payload that is the issuer's.
        if (err instanceof errors.JWTClaimValidationFailed || err instanceof errors.JWTExpired) {
          refusal.consumer = identityFromClaims(err.payload, config, via, isDeclared, credential)?.consumer;
        }
        return refusal;
      }
      const identity = identityFromClaims(claims, config, via, isDeclared, credential);
      if (!identity) {
        const r = malformedRefusal(`authn.jwt.${name}.consumerClaim`, label, `a ${config.consumerClaim} claim naming the consumer`, `no ${config.consumerClaim} claim`);
        r.fixes = [{ who: 'operator', action: `Set authn.jwt.${name}.consumerClaim to the claim of the issuer's tokens that names the caller.`, proved: false, retryable: false }];
        return r;
      }
      return identity;
    },
  };
}
