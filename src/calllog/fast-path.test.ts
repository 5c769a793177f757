// The gateway thread builds the stored row itself for a call that holds no secret; these
// tests pin down that this shortcut stores exactly what full redaction would have stored.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ConfigSchema } from '../config/schema.ts';
import { openCallLog, openCallLogReader } from './index.ts';
import { holdsNoSecret, redactionRules, redactRecord } from './redact.ts';
import { callRow } from './row.ts';
import { allowedRecord, deniedRecord } from './sample-record.ts';

const dir = mkdtempSync(join(tmpdir(), 'pinpoint-fastpath-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const defaults = ConfigSchema.parse({}).log;
const rules = redactionRules(['x-internal-secret'], defaults.redactQueryParams);

test('holdsNoSecret: false for every header and query parameter that redaction touches', () => {
  const plain = { host: 'api.example.test', accept: 'application/json', 'content-length': '12' };
  assert.equal(holdsNoSecret(allowedRecord({ requestHeaders: plain, query: '' }), rules), true);
  assert.equal(holdsNoSecret(allowedRecord({ requestHeaders: plain, query: 'page=2&sort=asc' }), rules), true);
  assert.equal(holdsNoSecret(allowedRecord({ requestHeaders: { ...plain, absent: undefined } }), rules), true);
  for (const name of ['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'x-internal-secret']) {
    assert.equal(holdsNoSecret(allowedRecord({ requestHeaders: { ...plain, [name]: 'v' } }), rules), false, name);
  }
  // A name that is not lowercase is left to full redaction, whatever it is.
  assert.equal(holdsNoSecret(allowedRecord({ requestHeaders: { Authorization: 'Bearer x' } }), rules), false);
  assert.equal(holdsNoSecret(allowedRecord({ requestHeaders: { Accept: 'text/html' } }), rules), false);
  for (const query of ['token=abc', 'page=2&access_token=abc', 'TOKEN=abc', 'api%5Fkey=abc', 'token=']) {
    assert.equal(holdsNoSecret(allowedRecord({ requestHeaders: plain, query }), rules), false, query);
  }
});

test('for a call that holds no secret, its row is the row full redaction would give', () => {
  const records = [
    allowedRecord(),
    allowedRecord({ query: 'page=2&token', correlationId: 'corr-1', error: 'upstream said no' }),
    deniedRecord({ query: 'q=ab%20c' }),
  ];
  for (const r of records) {
    assert.equal(holdsNoSecret(r, rules), true, r.requestId);
    assert.deepEqual(callRow(r), callRow(redactRecord(r, rules)), r.requestId);
  }
});

test('calls with and without secrets in one batch: stored in order, the secret ones redacted', async () => {
  const file = join(dir, 'mixed.db');
  const log = openCallLog({ ...defaults, file, flushIntervalMs: 5 }, dir);
  const plain = allowedRecord({ correlationId: 'c-plain' });
  const secret = deniedRecord({ query: 'token=QSECRET-123456', requestHeaders: { authorization: 'Bearer HSECRET-123456' } });
  secret.decision.detail = 'token HSECRET-123456 is unknown';
  const plain2 = deniedRecord();
  for (const r of [plain, secret, plain2]) log.record(r);
  await log.close();
  assert.deepEqual(log.stats(), { written: 3, dropped: 0, queued: 0 });

  const reader = openCallLogReader(file);
  assert.deepEqual(reader.list({ afterRowId: 0 }).map((c) => c.requestId), [plain, secret, plain2].map((r) => r.requestId));
  const { rowId: _a, ...storedPlain } = reader.get(plain.requestId)!;
  assert.deepEqual(storedPlain, JSON.parse(JSON.stringify(plain)));
  assert.equal(reader.get('c-plain')?.requestId, plain.requestId, 'found by its correlation id');
  const { rowId: _b, ...storedPlain2 } = reader.get(plain2.requestId)!;
  assert.deepEqual(storedPlain2, JSON.parse(JSON.stringify(plain2)));
  const storedSecret = reader.get(secret.requestId)!;
  assert.equal(storedSecret.query, 'token=[redacted]');
  assert.equal(storedSecret.requestHeaders.authorization, 'Bearer [redacted]');
  assert.equal(storedSecret.decision.detail, 'token [redacted] is unknown');
  reader.close();
});
