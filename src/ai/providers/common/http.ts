/**
 * Small pieces every provider adapter reads the same way: response headers as undici gives
 * them, Retry-After, and bodies that may not be JSON (a proxy's HTML 502).
 */
import type { ProviderError } from '../../types.ts';
import type { ProviderHeaders } from '../types.ts';

/** One header's value (the first when undici gives several). */
export function headerValue(headers: ProviderHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Retry-After in whole seconds: delta-seconds or an HTTP-date (RFC 9110 §10.2.3). */
export function retryAfterS(headers: ProviderHeaders, now = Date.now()): number | undefined {
  const v = headerValue(headers, 'retry-after')?.trim();
  if (!v) return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.ceil(Number(v));
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/** The body as JSON, or undefined when it is not JSON. */
export function parseJson(body: Buffer | string): unknown {
  try {
    return JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch {
    return undefined;
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A short, printable start of a body that is not the provider's error JSON. */
export function bodySnippet(body: Buffer): string {
  const text = body.toString('utf8').replace(/\s+/g, ' ').trim();
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** A ProviderError with a message even when the provider sent none. */
export function providerError(status: number, headers: ProviderHeaders, found: { message?: unknown; type?: unknown }, requestIdHeader: string, body?: Buffer): ProviderError {
  const message = typeof found.message === 'string' && found.message ? found.message : body && body.length ? bodySnippet(body) : `HTTP ${status} with an empty body`;
  const err: ProviderError = { status, message };
  if (typeof found.type === 'string' && found.type) err.type = found.type;
  const requestId = headerValue(headers, requestIdHeader);
  if (requestId) err.requestId = requestId;
  const retry = retryAfterS(headers);
  if (retry !== undefined) err.retryAfterS = retry;
  return err;
}

/** A 2xx answer that is not the provider's answer shape (a captive portal, a wrong base URL). */
export function invalidAnswer(what: string, body: Buffer | string): ProviderError {
  const snippet = bodySnippet(Buffer.from(body));
  return { status: 200, type: 'invalid_response', message: `the answer is not ${what}: ${snippet || '(empty body)'}` };
}

/** What a decoder yields when the provider's stream ended without its end marker. */
export function streamCut(provider: string): ProviderError {
  return { status: 200, type: 'stream_cut', message: `${provider}'s stream ended before its end marker (connection closed mid-answer)` };
}
