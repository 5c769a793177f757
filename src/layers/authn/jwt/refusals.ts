import { errors } from 'jose';
import type { JwtIssuerConfig } from '../../../config/schema.ts';
import type { Fix } from '../../../decision/types.ts';
import { shown, type UnverifiedToken } from './decode.ts';
import { isoTime, type TokenRefusal } from './denial.ts';

/** Thrown by the key source when the issuer's JWKS could not be fetched or read. */
export class KeySourceUnavailable extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'KeySourceUnavailable';
  }
}

/** Where a token was checked: the issuer, how the token is named, what it claims (unverified). */
export interface TokenContext {
  issuer: string;
  config: JwtIssuerConfig;
  /** "token jti:..." */
  label: string;
  token: UnverifiedToken;
  /** Whether the JWKS could be refetched for an unknown kid (false: within jwksRefreshMinMs of the last fetch). */
  refetched: boolean;
}

const NEW_TOKEN = 'Request a new token from the issuer and send it.';

/** The refusal for an error jwtVerify threw; anything not recognised is rethrown (a bug fails closed as gateway.internal). */
export function refusalFor(err: unknown, c: TokenContext): TokenRefusal {
  const rule = `authn.jwt.${c.issuer}`;
  const operator = (action: string): Fix[] => [{ who: 'operator', action, proved: false, retryable: false }];
  if (err instanceof KeySourceUnavailable) {
    return {
      code: 'authn.issuer_unavailable',
      ruleId: `${rule}.jwksUri`,
      detail: `the signing keys of issuer ${c.issuer} could not be fetched from ${c.config.jwksUri}: ${err.message}; the ${c.label} was refused unchecked (fail closed)`,
      hint: 'The token could not be checked right now. Retry in a few seconds.',
      evidence: [{ where: `jwks:${c.issuer}`, expected: 'a JWKS answered with 200', observed: shown(err.message, 160) }],
      fixes: operator(`Make ${c.config.jwksUri} reachable from the gateway, or correct authn.jwt.${c.issuer}.jwksUri.`),
    };
  }
  if (err instanceof errors.JWTExpired) {
    const exp = Number(c.token.claims.exp);
    const when = isoTime(exp);
    return {
      code: 'authn.token_expired',
      ruleId: `${rule}.exp`,
      detail: `${c.label} expired at ${when} (now ${new Date().toISOString()}, clock skew allowed ${c.config.clockSkewS}s)`,
      hint: `The token expired at ${when}. Request a new token from the issuer.`,
      evidence: [{ where: 'claim:exp', expected: `after ${new Date().toISOString()} (minus ${c.config.clockSkewS}s)`, observed: when }],
    };
  }
  if (err instanceof errors.JWTClaimValidationFailed) return claimRefusal(err, c, rule);
  if (err instanceof errors.JOSEAlgNotAllowed) return algorithmRefusal(c);
  if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) {
    const kid = shown(c.token.header.kid);
    const refreshed = c.refetched ? 'after refetching the JWKS' : `(JWKS not refetched: the last fetch was less than ${c.config.jwksRefreshMinMs} ms ago)`;
    return {
      code: 'authn.token_signature_invalid',
      ruleId: `${rule}.jwksUri`,
      detail: `${c.label}: no signing key of issuer ${c.issuer} has kid ${kid} and algorithm ${shown(c.token.header.alg)} ${refreshed}`,
      hint: `The token is signed with a key the issuer does not publish. ${NEW_TOKEN}`,
      evidence: [{ where: 'token-header:kid', expected: `a kid published at ${c.config.jwksUri}`, observed: kid }],
      fixes: operator(`If the issuer rotated its keys, check that ${c.config.jwksUri} publishes the new key.`),
    };
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) {
    return {
      code: 'authn.token_signature_invalid',
      ruleId: `${rule}.signature`,
      detail: `${c.label}: the signature does not match the header and payload under key ${shown(c.token.header.kid)} of issuer ${c.issuer} (tampered or forged token)`,
      hint: `The token signature is not valid: the token was altered or not issued by the issuer. ${NEW_TOKEN}`,
      evidence: [{ where: 'token:signature', expected: `signed by issuer ${c.issuer}`, observed: 'signature mismatch' }],
    };
  }
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid || err instanceof errors.JOSENotSupported) {
    return malformedRefusal(rule, c.label, 'a JWS access token jose can verify', shown(err.message, 120));
  }
  throw err;
}

function claimRefusal(err: InstanceType<typeof errors.JWTClaimValidationFailed>, c: TokenContext, rule: string): TokenRefusal {
  const observed = shown(c.token.claims[err.claim]);
  if (err.reason === 'check_failed' && err.claim === 'nbf') {
    const when = isoTime(Number(c.token.claims.nbf));
    return {
      code: 'authn.token_not_yet_valid',
      ruleId: `${rule}.nbf`,
      detail: `${c.label} is not valid before ${when} (now ${new Date().toISOString()}, clock skew allowed ${c.config.clockSkewS}s)`,
      hint: `The token is not valid before ${when}. Retry then, or check the clock of the system that issued it.`,
      evidence: [{ where: 'claim:nbf', expected: `before ${new Date().toISOString()} (plus ${c.config.clockSkewS}s)`, observed: when }],
    };
  }
  if (err.reason === 'check_failed' && err.claim === 'aud') {
    const expected = c.config.audiences.join(' or ');
    return {
      code: 'authn.token_audience_invalid',
      ruleId: `${rule}.audiences`,
      detail: `${c.label} is meant for ${observed}, not for this API (authn.jwt.${c.issuer}.audiences: ${expected})`,
      hint: `The token is meant for another API. Request a token for audience ${c.config.audiences[0]}.`,
      evidence: [{ where: 'claim:aud', expected, observed }],
      fixes: [{ who: 'operator', action: `Add the audience to authn.jwt.${c.issuer}.audiences if tokens for it are meant for this API.`, proved: false, retryable: false }],
    };
  }
  if (err.reason === 'check_failed' && err.claim === 'iss') return issuerRefusal(rule, c.label, c.config.issuer, observed);
  return malformedRefusal(rule, c.label, `a valid ${err.claim} claim`, err.reason === 'missing' ? `no ${err.claim} claim` : `${err.claim}: ${observed}`);
}

export function issuerRefusal(ruleId: string, label: string, expected: string, observed: string): TokenRefusal {
  return {
    code: 'authn.token_issuer_invalid',
    ruleId,
    detail: `${label} was issued by ${observed}; accepted here: ${expected}`,
    hint: `The token comes from an issuer this API does not accept. Request a token from ${expected.split(' or ')[0]}.`,
    evidence: [{ where: 'claim:iss', expected, observed }],
    fixes: [{ who: 'operator', action: 'Add the issuer under authn.jwt and to the route\'s authn list if its tokens should be accepted.', proved: false, retryable: false }],
  };
}

/** `none` and HMAC are refused for every issuer: with HMAC, a public key could serve as the secret. */
export function algorithmRefusal(c: { issuer?: string; config?: JwtIssuerConfig; label: string; token: UnverifiedToken }): TokenRefusal {
  const alg = shown(c.token.header.alg);
  const allowed = c.config ? c.config.algorithms.join(', ') : 'an asymmetric algorithm (RS, PS, ES, EdDSA)';
  return {
    code: 'authn.token_algorithm_not_allowed',
    ruleId: c.issuer ? `authn.jwt.${c.issuer}.algorithms` : 'authn.jwt',
    detail: `${c.label} is signed with ${alg}; accepted: ${allowed}${/^(none|HS\d+)$/i.test(alg) ? ' (none and HMAC are never accepted)' : ''}`,
    hint: `The token is signed with ${alg}, which this API does not accept (accepted: ${allowed}).`,
    evidence: [{ where: 'token-header:alg', expected: allowed, observed: alg }],
  };
}

export function malformedRefusal(ruleId: string, label: string, expected: string, observed: string): TokenRefusal {
  return {
    code: 'authn.token_malformed',
    ruleId,
    detail: `${label}: expected ${expected}, got ${observed}`,
    hint: `The token is malformed (expected ${expected}). Send the access token exactly as the issuer returned it.`,
    evidence: [{ where: 'token', expected, observed }],
  };
}
