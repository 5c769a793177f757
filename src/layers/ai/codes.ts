import type { CodeSpec } from '../../decision/code-spec.ts';

/**
 * Decision codes of the ai layer (see src/decision/codes.ts for the whole table), and the
 * codes of serving failures (src/ai/serve.ts), which are no layer's refusal but answer callers
 * with a stable code and status all the same; docs/errors.md documents each.
 *
 * The statuses:
 * - 400 for a call that cannot be served as sent (not this API's shape, more tokens than the
 *   model takes, more than a budget ever allows at once), 422 for a template's variables (the
 *   JSON is fine, its content is not), 404 for a model alias that does not exist.
 * - 403 for a model the key may not use: the caller learns that this model is not allowed for
 *   it, never the list of those that are (the operator's detail names the rule).
 * - 429 with Retry-After for the per-minute budgets (requests, tokens): waiting fixes them.
 * - 403, not 429 (nor 402), for an exhausted spend budget. The OpenAI and Anthropic SDKs retry
 *   a 429 by themselves (twice by default, with backoff), and a daily or monthly budget does not
 *   come back in seconds: a 429 would triple the refused calls and hide the refusal behind a
 *   delay. 403 is never retried by them, and its code and members say which budget and when it
 *   resets. 402 Payment Required is reserved by RFC 9110 and means to clients that paying
 *   fixes it, which is not the caller's lever here either.
 * - 503 when the budget counters (Redis) cannot be reached and a budget fails closed.
 * The caller is the one being counted, so its budget figures are no secret: they are disclosed
 * to the authenticated caller (every AI budget is kept per key, consumer or tenant).
 */
export const AI_CODES = {
  'ai.request_invalid': { layer: 'ai', status: 400, title: 'The request is not a valid call of this AI API', retryable: false, denyKind: 'explicit', disclose: 'anyone' },
  'ai.template_invalid': { layer: 'ai', status: 422, title: 'The template variables are missing or invalid', retryable: false, denyKind: 'explicit', disclose: 'anyone' },
  'ai.model_unknown': { layer: 'ai', status: 404, title: 'No such model', retryable: false, denyKind: 'no_allow', disclose: 'anyone' },
  'ai.model_not_allowed': { layer: 'ai', status: 403, title: 'The model is not allowed for this caller', retryable: false, denyKind: 'no_allow', disclose: 'caller' },
  'ai.context_too_long': { layer: 'ai', status: 400, title: 'The prompt and the output asked for exceed the model\'s context window', retryable: false, denyKind: 'threshold', disclose: 'caller' },
  'ai.call_exceeds_budget': { layer: 'ai', status: 400, title: 'The call alone is more than a budget ever allows', retryable: false, denyKind: 'threshold', disclose: 'caller' },
  'ai.request_rate_exceeded': { layer: 'ai', status: 429, title: 'Too many AI calls per minute', retryable: true, denyKind: 'threshold', disclose: 'caller' },
  'ai.token_rate_exceeded': { layer: 'ai', status: 429, title: 'Too many tokens per minute', retryable: true, denyKind: 'threshold', disclose: 'caller' },
  'ai.budget_exhausted': { layer: 'ai', status: 403, title: 'The spend budget is used up', retryable: false, denyKind: 'threshold', disclose: 'caller' },
  'ai.budget_unavailable': { layer: 'ai', status: 503, title: 'The AI budget could not be checked', retryable: true, denyKind: 'dependency_failed', disclose: 'caller' },

  // Serving failures (src/ai/serve.ts, src/ai/failures.ts), after the pipeline allowed the call.
  'ai.provider_refused': { layer: 'ai', status: 502, title: 'The model provider refused the gateway\'s call', retryable: false, denyKind: 'dependency_failed', disclose: 'anyone' },
  'ai.provider_rejected': { layer: 'ai', status: 400, title: 'The model provider rejected the call as invalid', retryable: false, denyKind: 'dependency_failed', disclose: 'anyone' },
  'ai.provider_rate_limited': { layer: 'ai', status: 429, title: 'The model provider is rate limiting the gateway', retryable: true, denyKind: 'dependency_failed', disclose: 'anyone' },
  'ai.provider_error': { layer: 'ai', status: 502, title: 'The model provider failed', retryable: true, denyKind: 'dependency_failed', disclose: 'anyone' },
  'ai.provider_timeout': { layer: 'ai', status: 504, title: 'The model provider did not answer in time', retryable: true, denyKind: 'dependency_failed', disclose: 'anyone' },
  'ai.provider_unreachable': { layer: 'ai', status: 502, title: 'The model provider could not be reached', retryable: true, denyKind: 'dependency_failed', disclose: 'anyone' },
  'ai.output_invalid': { layer: 'ai', status: 502, title: 'The model\'s output did not match the template\'s schema', retryable: true, denyKind: 'dependency_failed', disclose: 'anyone' },
  'ai.stream_interrupted': { layer: 'ai', status: 502, title: 'The model provider\'s stream failed after it had started', retryable: false, denyKind: 'dependency_failed', disclose: 'anyone' },
} as const satisfies Record<string, CodeSpec>;
