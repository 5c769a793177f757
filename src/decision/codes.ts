import { AI_CODES } from '../layers/ai/codes.ts';
import { AUTHN_CODES } from '../layers/authn/codes.ts';
import { AUTHZ_CODES } from '../layers/authz/codes.ts';
import { BODY_CODES } from '../layers/body/codes.ts';
import { CORS_CODES } from '../layers/cors/codes.ts';
import { CSRF_CODES } from '../layers/csrf/codes.ts';
import { IP_CODES } from '../layers/ip/codes.ts';
import { LIMITS_CODES } from '../layers/limits/codes.ts';
import { METHOD_CODES } from '../layers/method/codes.ts';
import { PROTOCOL_CODES } from '../layers/protocol/codes.ts';
import { ROUTE_CODES } from '../layers/route/codes.ts';
import { WAF_CODES } from '../layers/waf/codes.ts';
import type { CodeSpec } from './code-spec.ts';

export type { Audience, CodeSpec, DenyKind } from './code-spec.ts';

/**
 * The one table of decision codes, assembled from each layer's own codes.ts. A code's
 * prefix is the layer that owns it (`authz.scope_missing` lives in src/layers/authz).
 * docs/errors.md documents every code here and a test holds the two in step both ways.
 * A retired code is never reused.
 *
 * `disclose` is the lowest audience that may see the layer and the hint of a denial
 * with this code (see src/decision/disclosure.ts).
 */
export const DECISION_CODES = {
  ...PROTOCOL_CODES,
  ...ROUTE_CODES,
  ...METHOD_CODES,
  ...IP_CODES,
  ...BODY_CODES,
  ...WAF_CODES,
  ...CORS_CODES,
  ...AUTHN_CODES,
  ...CSRF_CODES,
  ...AUTHZ_CODES,
  ...LIMITS_CODES,
  ...AI_CODES,
} as const satisfies Record<string, CodeSpec>;

export type DecisionCode = keyof typeof DECISION_CODES;

export function codeSpec(code: DecisionCode): CodeSpec {
  return DECISION_CODES[code];
}
