import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ProviderError } from '../../types.ts';
import { adapter } from './index.ts';

const json = (v: unknown) => Buffer.from(JSON.stringify(v));
const envelope = (message: string, type: string, code: string | null) => json({ error: { message, type, param: null, code } });

const cases: { name: string; status: number; headers: Record<string, string | string[]>; body: Buffer; want: ProviderError }[] = [
  {
    name: '401 with the masked key echoed: the key is masked further',
    status: 401,
    headers: { 'x-request-id': 'req_abc' },
    body: envelope('Incorrect API key provided: sk-proj-********************************abcd. You can find your API key at https://platform.openai.com/account/api-keys.', 'invalid_request_error', 'invalid_api_key'),
    want: { status: 401, message: 'Incorrect API key provided: sk-***. You can find your API key at https://platform.openai.com/account/api-keys.', type: 'invalid_api_key', requestId: 'req_abc' },
  },
  {
    name: '403 region refusal',
    status: 403,
    headers: { 'x-request-id': 'req_1' },
    body: envelope('Country, region, or territory not supported', 'request_forbidden', 'unsupported_country_region_territory'),
    want: { status: 403, message: 'Country, region, or territory not supported', type: 'unsupported_country_region_territory', requestId: 'req_1' },
  },
  {
    name: '429 with Retry-After in seconds',
    status: 429,
    headers: { 'x-request-id': 'req_2', 'retry-after': '20' },
    body: envelope('Rate limit reached for gpt-4o', 'requests', 'rate_limit_exceeded'),
    want: { status: 429, message: 'Rate limit reached for gpt-4o', type: 'rate_limit_exceeded', requestId: 'req_2', retryAfterS: 20 },
  },
  {
    name: '429 with only retry-after-ms (rounded up to seconds)',
    status: 429,
    headers: { 'retry-after-ms': '1500' },
    body: envelope('You exceeded your current quota', 'insufficient_quota', 'insufficient_quota'),
    want: { status: 429, message: 'You exceeded your current quota', type: 'insufficient_quota', retryAfterS: 2 },
  },
  {
    name: '429 with Retry-After as an HTTP date in the past (0 s)',
    status: 429,
    headers: { 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' },
    body: envelope('slow down', 'requests', null),
    want: { status: 429, message: 'slow down', type: 'requests', retryAfterS: 0 },
  },
  {
    name: '500 with no code: the type',
    status: 500,
    headers: { 'x-request-id': ['req_3', 'req_4'] },
    body: envelope('The server had an error', 'server_error', null),
    want: { status: 500, message: 'The server had an error', type: 'server_error', requestId: 'req_3' },
  },
  {
    name: "Azure's envelope and apim-request-id",
    status: 429,
    headers: { 'apim-request-id': 'apim-1', 'retry-after': '3' },
    body: json({ error: { code: '429', message: 'Requests to the ChatCompletions_Create Operation have exceeded the rate limit.' } }),
    want: { status: 429, message: 'Requests to the ChatCompletions_Create Operation have exceeded the rate limit.', type: '429', requestId: 'apim-1', retryAfterS: 3 },
  },
  { name: '502 from a proxy in HTML', status: 502, headers: {}, body: Buffer.from('<html><body>Bad Gateway</body></html>'), want: { status: 502, message: '<html><body>Bad Gateway</body></html>' } },
  { name: '401 with no body at all', status: 401, headers: {}, body: Buffer.alloc(0), want: { status: 401, message: 'HTTP 401 with an empty body' } },
];

for (const c of cases) {
  test(`error: ${c.name}`, () => assert.deepEqual(adapter.error(c.status, c.headers, c.body), c.want));
}

test("a Groq key echoed in a message is masked too", () => {
  assert.equal(adapter.error(401, {}, envelope('Invalid API Key gsk_abcdef123456', 'invalid_request_error', 'invalid_api_key')).message, 'Invalid API Key gsk_***');
});
