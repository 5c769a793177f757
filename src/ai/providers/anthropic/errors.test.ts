import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProviderError } from '../../types.ts';
import { adapter } from './index.ts';

const envelope = (type: string, message: string) => JSON.stringify({ type: 'error', error: { type, message } });
const cases: { name: string; status: number; headers: Record<string, string>; body: string; want: ProviderError }[] = [
  { name: '401 bad key', status: 401, headers: { 'request-id': 'req_1' }, body: envelope('authentication_error', 'invalid x-api-key'), want: { status: 401, message: 'invalid x-api-key', type: 'authentication_error', requestId: 'req_1' } },
  { name: '403 no permission', status: 403, headers: { 'request-id': 'req_2' }, body: envelope('permission_error', 'not allowed'), want: { status: 403, message: 'not allowed', type: 'permission_error', requestId: 'req_2' } },
  { name: '429 with Retry-After', status: 429, headers: { 'request-id': 'req_3', 'retry-after': '17' }, body: envelope('rate_limit_error', 'slow down'), want: { status: 429, message: 'slow down', type: 'rate_limit_error', requestId: 'req_3', retryAfterS: 17 } },
  { name: '500', status: 500, headers: {}, body: envelope('api_error', 'Internal server error'), want: { status: 500, message: 'Internal server error', type: 'api_error' } },
  { name: '529 overloaded', status: 529, headers: { 'request-id': 'req_5' }, body: envelope('overloaded_error', 'Overloaded'), want: { status: 529, message: 'Overloaded', type: 'overloaded_error', requestId: 'req_5' } },
  { name: '502 from a proxy in front (HTML)', status: 502, headers: {}, body: '<html><body>Bad   Gateway</body></html>', want: { status: 502, message: '<html><body>Bad Gateway</body></html>' } },
  { name: '503 with an empty body', status: 503, headers: {}, body: '', want: { status: 503, message: 'HTTP 503 with an empty body' } },
];
for (const c of cases) {
  test(`error: ${c.name}`, () => {
    assert.deepEqual(adapter.error(c.status, c.headers, Buffer.from(c.body)), c.want);
  });
}

test('error: Retry-After as an HTTP date is seconds from now, rounded up', () => {
  const at = new Date(Date.now() + 30_500).toUTCString();
  const e = adapter.error(429, { 'retry-after': at }, Buffer.from(envelope('rate_limit_error', 'slow down')));
  assert.ok(e.retryAfterS !== undefined && e.retryAfterS >= 29 && e.retryAfterS <= 31, String(e.retryAfterS));
});
