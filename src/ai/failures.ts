import type { FallbackOn } from './schema.ts';

import { AI_CODES } from '../layers/ai/codes.ts';

/**
 * Failures of serving an AI call after the pipeline allowed it: operational errors of the
 * provider side (no layer refused the call). Their statuses, titles and retryability are in
 * the ai codes table (src/layers/ai/codes.ts) with the layer's own; this picks them out.
 * The gateway answers in the client's error envelope and logs the code.
 */
const FAILURE_CODES = ['ai.provider_refused', 'ai.provider_rejected', 'ai.provider_rate_limited', 'ai.provider_error', 'ai.provider_timeout', 'ai.provider_unreachable', 'ai.output_invalid', 'ai.stream_interrupted'] as const;

export const AI_FAILURES = Object.fromEntries(FAILURE_CODES.map((c) => [c, AI_CODES[c]])) as { [C in (typeof FAILURE_CODES)[number]]: (typeof AI_CODES)[C] };

export type AiFailureCode = (typeof FAILURE_CODES)[number];

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
