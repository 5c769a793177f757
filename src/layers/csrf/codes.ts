import type { CodeSpec } from '../../decision/code-spec.ts';

/**
 * Decision codes of the csrf layer (see src/decision/codes.ts for the whole table). The hints
 * help the developer of the legitimate page; a forging site learns nothing it did not know
 * (that it is cross-site, that it has no token), so they are shown to anyone.
 */
export const CSRF_CODES = {
  'csrf.cross_site': { layer: 'csrf', status: 403, title: 'The browser marked the request as cross-site', retryable: false, denyKind: 'explicit', disclose: 'anyone' },
  'csrf.origin_not_allowed': { layer: 'csrf', status: 403, title: 'The request comes from another origin', retryable: false, denyKind: 'no_allow', disclose: 'anyone' },
  'csrf.referer_missing': { layer: 'csrf', status: 403, title: 'The request has neither Origin nor Referer', retryable: false, denyKind: 'missing_context', disclose: 'anyone' },
  'csrf.cookie_missing': { layer: 'csrf', status: 403, title: 'The CSRF cookie is missing', retryable: false, denyKind: 'missing_context', disclose: 'anyone' },
  'csrf.token_missing': { layer: 'csrf', status: 403, title: 'The CSRF token is missing', retryable: false, denyKind: 'missing_context', disclose: 'anyone' },
  'csrf.token_mismatch': { layer: 'csrf', status: 403, title: 'The CSRF token does not match its cookie', retryable: false, denyKind: 'explicit', disclose: 'anyone' },
  'csrf.token_invalid': { layer: 'csrf', status: 403, title: 'The CSRF token was not issued by this gateway', retryable: false, denyKind: 'explicit', disclose: 'anyone' },
  'csrf.token_stale': { layer: 'csrf', status: 403, title: 'The CSRF token has expired or belongs to another session', retryable: false, denyKind: 'explicit', disclose: 'anyone' },
} as const satisfies Record<string, CodeSpec>;
