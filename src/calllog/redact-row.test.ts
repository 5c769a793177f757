// The gateway thread redacts calls that may hold secrets as JSON text; these tests pin down
// that it stores exactly what the object-graph redaction (redactRecord) stores.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigSchema } from '../config/schema.ts';
import { redactionRules, redactRecord } from './redact.ts';
import { redactedRow } from './redact-row.ts';
import { callRow } from './row.ts';
import { allowedRecord, deniedRecord } from './sample-record.ts';

const rules = redactionRules(['x-partner-key'], ConfigSchema.parse({}).log.redactQueryParams);

function withSecretsEverywhere() {
  const r = deniedRecord({
    query: 'token=QSECRET-123456&page=2&api_key=a%2Bb%20c-long',
    requestHeaders: {
      authorization: 'Bearer HSECRET-"quoted"\\back-123456',
      cookie: 'session=COOKIE-VALUE-1; theme=ab',
      'x-api-key': 'pk_KEYSECRET0123456789',
      'x-partner-key': 'p1',
      accept: 'application/json',
    },
    error: 'upstream refused HSECRET-"quoted"\\back-123456',
  });
  r.decision.detail = 'token HSECRET-"quoted"\\back-123456 and pk_KEYSECRET0123456789 are unknown; ab';
  r.decision.evidence = [
    { where: 'header:authorization', expected: 'a valid token', observed: 'HSECRET-"quoted"\\back-123456' },
    { where: 'cookie', expected: 'x', observed: 'ab' },
    { where: 'q', expected: 'p1', observed: 'prefix COOKIE-VALUE-1 suffix' },
  ];
  r.decision.extensions = { 'pk_KEYSECRET0123456789': 'as a key', nested: { deep: ['a+b c-long', 'QSECRET-123456'] } };
  return r;
}

const cases = [
  ['no secret at all', allowedRecord()],
  ['secrets in headers, query, decision keys and values, error', withSecretsEverywhere()],
  ['a short secret equal to a whole string only', deniedRecord({ requestHeaders: { 'x-partner-key': 'ab' }, error: 'ab' })],
  ['basic credentials', deniedRecord({ requestHeaders: { authorization: 'Basic ' + Buffer.from('ann:PASSWORD-99').toString('base64') }, error: 'PASSWORD-99 wrong' })],
] as const;

for (const [name, record] of cases) {
  test(`redactedRow stores what callRow(redactRecord()) stores: ${name}`, () => {
    assert.deepEqual(redactedRow(record, rules), callRow(redactRecord(record, rules)));
  });
}

test('no secret survives in the row of a call with secrets everywhere', () => {
  const text = JSON.stringify(redactedRow(withSecretsEverywhere(), rules));
  for (const secret of ['HSECRET', 'COOKIE-VALUE-1', 'KEYSECRET', 'QSECRET', 'a+b c-long', 'a%2Bb%20c-long']) {
    assert.ok(!text.includes(secret), secret);
  }
});
