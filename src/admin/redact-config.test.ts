import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSecretKey, REDACTED, redactConfig } from './redact-config.ts';

const KEYS: Array<[string, boolean]> = [
  ['token', true],
  ['apiKey', true],
  ['api_key', true],
  ['API-KEY', true],
  ['apikeys', true],
  ['key', true],
  ['clientSecret', true],
  ['password', true],
  ['db_passwd', true],
  ['credentials', true],
  ['authorization', true],
  ['tokenEnv', false],
  ['secret_env', false],
  ['monkey', false],
  ['keepAliveTimeoutMs', false],
  ['redactQueryParams', false],
  ['url', false],
];

for (const [key, secret] of KEYS) {
  test(`key ${key} ${secret ? 'is' : 'is not'} a secret`, () => assert.equal(isSecretKey(key), secret));
}

test('redactConfig replaces secret values at any depth and keeps everything else', () => {
  const input = {
    admin: { tokenEnv: 'PINPOINT_ADMIN_TOKEN', token: 'abc' },
    consumers: [{ name: 'acme', apiKey: 'pk_live_123', keys: ['k1', 'k2'] }],
    services: { orders: { upstreams: [{ url: 'https://svc:hunter2@orders.internal:8443', weight: 1 }, { url: 'http://127.0.0.1:9' }] } },
    log: { redactQueryParams: ['token', 'password'], retentionDays: 7 },
    empty: { secret: undefined },
  };
  const out = redactConfig(input) as typeof input;
  assert.deepEqual(out, {
    admin: { tokenEnv: 'PINPOINT_ADMIN_TOKEN', token: REDACTED },
    consumers: [{ name: 'acme', apiKey: REDACTED, keys: REDACTED }],
    services: { orders: { upstreams: [{ url: `https://svc:${REDACTED}@orders.internal:8443`, weight: 1 }, { url: 'http://127.0.0.1:9' }] } },
    log: { redactQueryParams: ['token', 'password'], retentionDays: 7 },
    empty: { secret: undefined },
  });
  // A copy: the config in force is untouched.
  assert.equal(input.admin.token, 'abc');
});
