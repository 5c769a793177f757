/**
 * Bedrock's errors: a JSON body `{"message": ...}` (some services spell it `Message`), the
 * error's name in x-amzn-errortype ('ThrottlingException:http://internal.amazon.com/...'),
 * the request id in x-amzn-requestid.
 */
import type { ProviderError } from '../../types.ts';
import { headerValue, isObject, parseJson, providerError } from '../common/http.ts';
import type { ProviderHeaders } from '../types.ts';

export function bedrockError(status: number, headers: ProviderHeaders, body: Buffer): ProviderError {
  const json = parseJson(body);
  const message = isObject(json) ? (json.message ?? json.Message) : undefined;
  const type = headerValue(headers, 'x-amzn-errortype')?.split(':')[0] ?? (isObject(json) ? json.__type : undefined);
  return providerError(status, headers, { message, type }, 'x-amzn-requestid', body);
}
