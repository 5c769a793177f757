import type { FallbackOn } from './schema.ts';

/**
 * Failures of serving an AI call after the pipeline allowed it: operational errors of the
 * provider side, with their own table as upstream.* errors have (src/proxy/errors.ts). The
 * gateway answers in the client's error envelope and logs the code; docs/errors.md
 * documents each. `retryable`: whether the client may send the call again as it is.
 */
export const AI_FAILURES = {
  'ai.provider_refused': { status: 502, title: 'The model provider refused the gateway\'s call', retryable: false },
  'ai.provider_rejected': { status: 400, title: 'The model provider rejected the call as invalid', retryable: false },
  'ai.provider_rate_limited': { status: 429, title: 'The model provider is rate limiting the gateway', retryable: true },
  'ai.provider_error': { status: 502, title: 'The model provider failed', retryable: true },
  'ai.provider_timeout': { status: 504, title: 'The model provider did not answer in time', retryable: true },
  'ai.provider_unreachable': { status: 502, title: 'The model provider could not be reached', retryable: true },
  'ai.output_invalid': { status: 502, title: 'The model\'s output did not match the template\'s schema', retryable: true },
  /** Sent as the dialect's error event: the stream had started, so nothing was retried. */
  'ai.stream_interrupted': { status: 502, title: 'The model provider\'s stream failed after it had started', retryable: false },
} as const;

export type AiFailureCode = keyof typeof AI_FAILURES;

/** How a failed hop is classed: the names fallbacks are configured with, plus what never falls back. */
export type HopFailure = FallbackOn | 'rejected';

/** The failure class of a provider's HTTP status (>= 400). */
export function failureOfStatus(status: number): HopFailure {
  if (status === 429) return 'rate_limited';
  if (status === 401 || status === 403) return 'refused';
  if (status >= 500) return 'server_error';
  // 408 and the like: the provider gave up on us.
  if (status === 408) return 'timeout';
  return 'rejected';
}

/** The code the client gets when the chain stopped on this failure. */
export function failureCode(f: HopFailure): AiFailureCode {
  switch (f) {
    case 'rate_limited':
      return 'ai.provider_rate_limited';
    case 'refused':
      return 'ai.provider_refused';
    case 'server_error':
      return 'ai.provider_error';
    case 'timeout':
      return 'ai.provider_timeout';
    case 'connect_error':
      return 'ai.provider_unreachable';
    case 'rejected':
      return 'ai.provider_rejected';
  }
}
