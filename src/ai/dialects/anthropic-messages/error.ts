/**
 * The Anthropic error envelope: `{"type":"error","error":{"type","message","details"},"request_id"}`
 * and the `request-id` header the Anthropic SDK reads into `err.requestID`. The Pinpoint code
 * is `error.details.error_code`, which the SDK surfaces as `err.errorCode`; the other details
 * (which budget, the limit, the fix...) sit beside it.
 */
import type { AiError } from '../types.ts';

export function anthropicErrorType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 402) return 'billing_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 408 || status === 504) return 'timeout_error';
  if (status === 413) return 'request_too_large';
  if (status === 429) return 'rate_limit_error';
  if (status === 503 || status === 529) return 'overloaded_error';
  if (status >= 500) return 'api_error';
  return 'invalid_request_error';
}

export function anthropicErrorBody(e: AiError): Record<string, unknown> {
  const details = { ...e.details, ...(e.param ? { param: e.param } : {}), error_code: e.code };
  return { type: 'error', error: { type: anthropicErrorType(e.status), message: e.message, details }, request_id: e.requestId };
}

export function anthropicError(e: AiError): { body: unknown; headers: Record<string, string> } {
  return { body: anthropicErrorBody(e), headers: { 'request-id': e.requestId } };
}
