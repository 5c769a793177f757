/**
 * The one table of decision codes. A code's prefix is the layer that owns it
 * (`route.not_found` lives in src/layers/route). docs/errors.md documents every
 * code here and a test holds the two in step both ways. A retired code is never reused.
 *
 * `disclose` is the lowest audience that may see the layer and the hint of a denial
 * with this code (see src/decision/disclosure.ts).
 */
export const DECISION_CODES = {
  'route.not_found': {
    layer: 'route',
    status: 404,
    title: 'No route matches this request',
    retryable: false,
    denyKind: 'no_allow',
    disclose: 'anyone',
  },
  'method.not_allowed': {
    layer: 'method',
    status: 405,
    title: 'The route does not allow this method',
    retryable: false,
    denyKind: 'no_allow',
    disclose: 'anyone',
  },
} as const satisfies Record<string, CodeSpec>;

export type DenyKind = 'explicit' | 'no_allow' | 'threshold' | 'missing_context' | 'dependency_failed';
export type Audience = 'anyone' | 'caller' | 'operator';

export interface CodeSpec {
  layer: string;
  status: number;
  title: string;
  retryable: boolean;
  denyKind: DenyKind;
  disclose: Audience;
}

export type DecisionCode = keyof typeof DECISION_CODES;

export function codeSpec(code: DecisionCode): CodeSpec {
  return DECISION_CODES[code];
}
