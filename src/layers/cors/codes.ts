import type { CodeSpec } from '../../decision/code-spec.ts';

/**
 * Decision codes of the cors layer (see src/decision/codes.ts for the whole table). A page's
 * developer debugging "CORS error" in the browser needs the reason, and the allowed origins
 * are no secret (any origin can probe them with a preflight): hints go to anyone.
 */
export const CORS_CODES = {
  'cors.origin_not_allowed': { layer: 'cors', status: 403, title: 'The origin may not call this API from a browser', retryable: false, denyKind: 'no_allow', disclose: 'anyone' },
  'cors.method_not_allowed': { layer: 'cors', status: 403, title: 'The method is not allowed cross-origin', retryable: false, denyKind: 'no_allow', disclose: 'anyone' },
  'cors.header_not_allowed': { layer: 'cors', status: 403, title: 'A request header is not allowed cross-origin', retryable: false, denyKind: 'no_allow', disclose: 'anyone' },
} as const satisfies Record<string, CodeSpec>;
