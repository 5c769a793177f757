/**
 * The error envelope of the OpenAI family (Chat Completions, Embeddings, Responses):
 * `{"error":{"message","type","code","param"}}`, which the openai SDK turns into its typed
 * error by status (BadRequestError, RateLimitError, ...) with `.code` = the Pinpoint code.
 * The `pinpoint` member carries the request id and the details the caller chose for its audience.
 */
import type { AiError } from '../types.ts';

/** OpenAI's error `type` for an HTTP status. */
export function openAiErrorType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 402) return 'insufficient_quota';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'api_error';
  return 'invalid_request_error';
}

/** The `error` member (also what a mid-stream error event carries). */
export function openAiErrorObject(e: AiError): { message: string; type: string; code: string; param: string | null } {
  return { message: e.message, type: openAiErrorType(e.status), code: e.code, param: e.param ?? null };
}

export function pinpointMember(e: AiError): Record<string, unknown> {
  return { ...e.details, request_id: e.requestId };
}

export function openAiError(e: AiError): { body: unknown; headers: Record<string, string> } {
  return { body: { error: openAiErrorObject(e), pinpoint: pinpointMember(e) }, headers: { 'x-request-id': e.requestId } };
}
