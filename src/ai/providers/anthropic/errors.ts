import type { ProviderError } from '../../types.ts';
import { parseJson } from '../common/http.ts';
import type { ProviderHeaders } from '../types.ts';
import { errorOf } from './response.ts';

/** A non-2xx answer: `{type:'error', error:{type, message}}`, `request-id` and `retry-after` headers. */
export function chatError(status: number, headers: ProviderHeaders, body: Buffer): ProviderError {
  return errorOf(status, headers, parseJson(body), body);
}
