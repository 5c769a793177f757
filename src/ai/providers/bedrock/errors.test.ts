import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProviderError } from '../../types.ts';
import { adapter } from './index.ts';

const h = (type: string, extra: Record<string, string> = {}) => ({ 'x-amzn-requestid': 'rid-1', 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`, ...extra });
const cases: { name: string; status: number; headers: Record<string, string>; body: string; want: ProviderError }[] = [
  {
    name: '403 bad signature',
    status: 403,
    headers: h('InvalidSignatureException'),
    body: '{"message":"The request signature we calculated does not match the signature you provided."}',
    want: { status: 403, message: 'The request signature we calculated does not match the signature you provided.', type: 'InvalidSignatureException', requestId: 'rid-1' },
  },
  { name: '403 unknown key (Message spelled with a capital)', status: 403, headers: h('UnrecognizedClientException'), body: '{"Message":"The security token included in the request is invalid."}', want: { status: 403, message: 'The security token included in the request is invalid.', type: 'UnrecognizedClientException', requestId: 'rid-1' } },
  { name: '401 (a proxy in front)', status: 401, headers: {}, body: '', want: { status: 401, message: 'HTTP 401 with an empty body' } },
  { name: '429 with Retry-After', status: 429, headers: h('ThrottlingException', { 'retry-after': '3' }), body: '{"message":"Too many requests, please wait before trying again."}', want: { status: 429, message: 'Too many requests, please wait before trying again.', type: 'ThrottlingException', requestId: 'rid-1', retryAfterS: 3 } },
  { name: '400 validation', status: 400, headers: h('ValidationException'), body: '{"message":"The model returned the following errors: messages: field required"}', want: { status: 400, message: 'The model returned the following errors: messages: field required', type: 'ValidationException', requestId: 'rid-1' } },
  { name: '500', status: 500, headers: h('InternalServerException'), body: '{"message":"Internal server error"}', want: { status: 500, message: 'Internal server error', type: 'InternalServerException', requestId: 'rid-1' } },
  { name: 'error type from __type when the header is missing', status: 503, headers: {}, body: '{"__type":"ServiceUnavailableException","message":"Service unavailable"}', want: { status: 503, message: 'Service unavailable', type: 'ServiceUnavailableException' } },
];
for (const c of cases) {
  test(`error: ${c.name}`, () => {
    assert.deepEqual(adapter.error(c.status, c.headers, Buffer.from(c.body)), c.want);
  });
}
