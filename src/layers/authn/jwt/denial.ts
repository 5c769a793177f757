import { codeSpec, type DecisionCode } from '../../../decision/codes.ts';
import type { Denial, Evidence, Fix } from '../../../decision/types.ts';

/** What a token verifier knows about a refusal; the challenge and the client's fix are added here. */
export interface TokenRefusal {
  code: DecisionCode;
  ruleId: string;
  /** For the operator: what exactly was wrong, naming the token by its label, never by its value. */
  detail: string;
  /** For the caller; also the challenge's error_description. */
  hint: string;
  evidence: Evidence[];
  /** Fixes for other actors (key owner, operator); the client's comes from the hint. */
  fixes?: Fix[];
  /**
   * The consumer the token names, when its signature checked out and only a claim was refused
   * (expired, wrong audience): the operator's record names who it was. Never an identity.
   */
  consumer?: string;
}

/**
 * A token denial. A 401 carries the RFC 6750 §3 challenge `Bearer realm, error="invalid_token",
 * error_description`, which the layer puts in place of the route's plain Bearer challenge.
 * A 503 (issuer unavailable) carries none: the token was not judged, so it is not "invalid".
 */
export function tokenDenial(realm: string, r: TokenRefusal): Denial {
  const spec = codeSpec(r.code);
  const denial: Denial = {
    code: r.code,
    ruleId: r.ruleId,
    detail: r.detail,
    hint: r.hint,
    evidence: r.evidence,
    fixes: [{ who: 'client', action: r.hint, proved: false, retryable: spec.retryable }, ...(r.fixes ?? [])],
  };
  if (spec.status === 401) {
    denial.headers = { 'www-authenticate': `Bearer realm="${quotable(realm)}", error="invalid_token", error_description="${quotable(r.hint)}"` };
  }
  return denial;
}

/** The plain challenge of a route that accepts bearer tokens. */
export function bearerChallenge(realm: string): string {
  return `Bearer realm="${quotable(realm)}"`;
}

/** RFC 6750 §3: error_description is %x20-21 / %x23-5B / %x5D-7E: printable ASCII without `"` and `\`. */
function quotable(s: string): string {
  return s.replace(/[^\x20-\x7e]|["\\]/g, "'");
}

/** Epoch seconds as an ISO time, for "expired at" messages. */
export function isoTime(epochS: number): string {
  const d = new Date(epochS * 1000);
  return Number.isNaN(d.getTime()) ? String(epochS) : d.toISOString();
}
