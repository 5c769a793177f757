import type { CodeSpec } from '../../decision/code-spec.ts';

/** Decision codes of the waf layer (see src/decision/codes.ts for the whole table). */
export const WAF_CODES = {
  // The caller learns only that the request was blocked and its request id: naming the rule,
  // the field or the score would teach an attacker how to get around it. Operators read all
  // of it in the decision (pinpoint why).
  'waf.blocked': {
    layer: 'waf',
    status: 403,
    title: 'The request was blocked',
    retryable: false,
    denyKind: 'threshold',
    disclose: 'operator',
  },
} as const satisfies Record<string, CodeSpec>;
