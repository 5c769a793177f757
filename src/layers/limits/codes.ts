import type { CodeSpec } from '../../decision/code-spec.ts';

/**
 * Decision codes of the limits layer (see src/decision/codes.ts for the whole table).
 * 429 when waiting fixes it (rate, quota: retryable, with Retry-After), 403 when it does
 * not (a suspension: never retry), 503 when the shared counters cannot be reached and the
 * policy fails closed. The caller is the one being counted, so the policies it broke are
 * no secret (the same figures travel in the RateLimit headers to every audience).
 */
export const LIMITS_CODES = {
  'limits.rate_exceeded': { layer: 'limits', status: 429, title: 'Too many requests', retryable: true, denyKind: 'threshold', disclose: 'anyone' },
  'limits.quota_exhausted': { layer: 'limits', status: 429, title: 'The quota for this period is used up', retryable: true, denyKind: 'threshold', disclose: 'anyone' },
  'limits.consumer_suspended': { layer: 'limits', status: 403, title: 'The consumer is suspended for exceeding its plan', retryable: false, denyKind: 'explicit', disclose: 'caller' },
  'limits.tenant_suspended': { layer: 'limits', status: 403, title: 'The tenant is suspended for exceeding its plan', retryable: false, denyKind: 'explicit', disclose: 'caller' },
  'limits.backend_unavailable': { layer: 'limits', status: 503, title: 'The rate limit could not be checked', retryable: true, denyKind: 'dependency_failed', disclose: 'anyone' },
} as const satisfies Record<string, CodeSpec>;
