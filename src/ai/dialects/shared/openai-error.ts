/**
 * The error envelope of the OpenAI family (Chat Completions, Embeddings, Responses):
 * `{"error":{"message","type","code","param","pinpoint"}}`, which the openai SDK turns into its
 * typed error by status (BadRequestError, RateLimitError, ...) with `.code` = the Pinpoint code.
 * `pinpoint` (the request id and the details the caller chose for its audience: which budget,
 * the limit, the fix...) sits inside `error` because that member is what the SDKs keep
 * (`err.error`, also for an error inside a stream).
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

export interface OpenAiErrorObject {
  message: string;
  type: string;
  code: string;
  param: string | null;
  pinpoint: Record<string, unknown>;
}

/** The `error` member (also what a mid-stream error event carries). */
export function openAiErrorObject(e: AiError): OpenAiErrorObject {
  return { message: e.message, type: openAiErrorType(e.status), code: e.code, param: e.param ?? null, pinpoint: { ...e.details, request_id: e.requestId } };
}

export function openAiError(e: AiError): { body: unknown; headers: Record<string, string> } {
  return { body: { error: openAiErrorObject(e) }, headers: { 'x-request-id': e.requestId } };
}
