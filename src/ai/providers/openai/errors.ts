/**
 * OpenAI's error envelope, `{"error":{"message","type","param","code"}}`, as it comes in a
 * non-2xx answer, inside a 200 body, or as an event in a stream. Compatible servers bend it:
 * vLLM sends a numeric code and `"object":"error"` at the top, OpenRouter a numeric code,
 * some a bare `{"error":"text"}`.
 */
import type { ProviderError } from '../../types.ts';
import { headerValue, isObject, parseJson, providerError } from '../common/http.ts';
import type { ProviderHeaders } from '../types.ts';

/** The error a body carries, or undefined when it carries none. */
export function errorInBody(json: unknown): { message?: unknown; type?: unknown } | undefined {
  if (!isObject(json)) return undefined;
  const e = json.error;
  if (typeof e === 'string') return { message: e };
  if (isObject(e)) return { message: e.message, type: errorType(e) };
  if (json.object === 'error') return { message: json.message, type: errorType(json) };
  return undefined;
}

/** The code says most ('insufficient_quota', 'invalid_api_key'); the type when there is no string code. */
function errorType(e: Record<string, unknown>): string | undefined {
  if (typeof e.code === 'string' && e.code) return e.code;
  if (typeof e.type === 'string' && e.type) return e.type;
  if (typeof e.code === 'number') return String(e.code);
  return undefined;
}

/**
 * OpenAI's 401 echoes a masked piece of the key ('Incorrect API key provided: sk-proj-****abcd');
 * even masked, the gateway's credential must not reach a client or a log. (error() is not
 * given the credential itself, so the known key shapes are masked here.)
 */
export function redactKeyEcho(message: string): string {
  return message.replace(/\b(sk-|gsk_)[A-Za-z0-9_*-]+/g, '$1***');
}

/** Request id headers, in order of preference (Azure's API Management sets apim-request-id). */
const REQUEST_ID_HEADERS = ['x-request-id', 'apim-request-id'];

export function openaiError(status: number, headers: ProviderHeaders, body: Buffer): ProviderError {
  const found = errorInBody(parseJson(body)) ?? {};
  const idHeader = REQUEST_ID_HEADERS.find((h) => headerValue(headers, h)) ?? REQUEST_ID_HEADERS[0];
  const err = providerError(status, headers, found, idHeader, body);
  err.message = redactKeyEcho(err.message);
  // OpenAI and Azure also send retry-after-ms, finer than Retry-After's seconds.
  const ms = headerValue(headers, 'retry-after-ms')?.trim();
  if (err.retryAfterS === undefined && ms && /^\d+(\.\d+)?$/.test(ms)) err.retryAfterS = Math.ceil(Number(ms) / 1000);
  return err;
}

/** An error that came inside a 200 answer or a stream (status 200, no headers to read). */
export function errorInside200(found: { message?: unknown; type?: unknown }): ProviderError {
  const err = providerError(200, {}, found, 'x-request-id');
  err.message = redactKeyEcho(err.message);
  return err;
}
