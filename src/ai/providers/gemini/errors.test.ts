import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProviderError } from '../../types.ts';
import { adapter } from './index.ts';

const envelope = (code: number, status: string, message: string, details?: unknown[]) => JSON.stringify({ error: { code, message, status, ...(details && { details }) } });
const retryInfo = (retryDelay: string) => ({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay });
const cases: { name: string; status: number; headers: Record<string, string>; body: string; want: ProviderError }[] = [
  {
    name: '400 bad key (Gemini answers a wrong key with 400 INVALID_ARGUMENT)',
    status: 400,
    headers: {},
    body: envelope(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com' }]),
    want: { status: 400, message: 'API key not valid. Please pass a valid API key.', type: 'INVALID_ARGUMENT' },
  },
  { name: '401', status: 401, headers: {}, body: envelope(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.'), want: { status: 401, message: 'Request had invalid authentication credentials.', type: 'UNAUTHENTICATED' } },
  { name: '403', status: 403, headers: {}, body: envelope(403, 'PERMISSION_DENIED', 'Permission denied.'), want: { status: 403, message: 'Permission denied.', type: 'PERMISSION_DENIED' } },
  {
    name: '429 with RetryInfo (no Retry-After header)',
    status: 429,
    headers: {},
    body: envelope(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded.', [{ '@type': 'type.googleapis.com/google.rpc.QuotaFailure' }, retryInfo('36.5s')]),
    want: { status: 429, message: 'Quota exceeded.', type: 'RESOURCE_EXHAUSTED', retryAfterS: 37 },
  },
  { name: '429 with a Retry-After header (it wins)', status: 429, headers: { 'retry-after': '5' }, body: envelope(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded.', [retryInfo('60s')]), want: { status: 429, message: 'Quota exceeded.', type: 'RESOURCE_EXHAUSTED', retryAfterS: 5 } },
  { name: '500', status: 500, headers: {}, body: envelope(500, 'INTERNAL', 'An internal error has occurred.'), want: { status: 500, message: 'An internal error has occurred.', type: 'INTERNAL' } },
  { name: '503 as a one-element array', status: 503, headers: {}, body: `[${envelope(503, 'UNAVAILABLE', 'The model is overloaded.')}]`, want: { status: 503, message: 'The model is overloaded.', type: 'UNAVAILABLE' } },
  { name: '502 HTML from a proxy', status: 502, headers: {}, body: '<html>Bad Gateway</html>', want: { status: 502, message: '<html>Bad Gateway</html>' } },
];
for (const c of cases) {
  test(`error: ${c.name}`, () => {
    assert.deepEqual(adapter.error(c.status, c.headers, Buffer.from(c.body)), c.want);
  });
}
