/**
 * Google's error envelope, `{"error":{"code","message","status","details"}}` (inside a
 * one-element array from some endpoints). Gemini sends no Retry-After on a 429 but a
 * google.rpc.RetryInfo detail with retryDelay ('37s', '1.5s').
 */
import type { ProviderError } from '../../types.ts';
import { isObject, parseJson, providerError } from '../common/http.ts';
import type { ProviderHeaders } from '../types.ts';

/** The error a body carries (status is the HTTP status to report), or undefined. */
export function errorIn(status: number, headers: ProviderHeaders, json: unknown, body?: Buffer): ProviderError | undefined {
  const envelope = Array.isArray(json) ? json[0] : json;
  if (!isObject(envelope) || !isObject(envelope.error)) return undefined;
  const e = envelope.error;
  const err = providerError(status, headers, { message: e.message, type: e.status }, 'x-request-id', body);
  if (err.retryAfterS === undefined) {
    const delay = retryDelay(e.details);
    if (delay !== undefined) err.retryAfterS = delay;
  }
  return err;
}

function retryDelay(details: unknown): number | undefined {
  if (!Array.isArray(details)) return undefined;
  for (const d of details) {
    if (!isObject(d) || d['@type'] !== 'type.googleapis.com/google.rpc.RetryInfo' || typeof d.retryDelay !== 'string') continue;
    const m = /^(\d+(?:\.\d+)?)s$/.exec(d.retryDelay);
    if (m) return Math.ceil(Number(m[1]));
  }
  return undefined;
}

export function chatError(status: number, headers: ProviderHeaders, body: Buffer): ProviderError {
  return errorIn(status, headers, parseJson(body), body) ?? providerError(status, headers, {}, 'x-request-id', body);
}
