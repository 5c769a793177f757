import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ConfigSchema } from '../config/schema.ts';
import { openCallLog, openCallLogReader } from './index.ts';
import { redactHeaders, redactionRules, redactQuery, redactRecord } from './redact.ts';
import { deniedRecord } from './sample-record.ts';

const dir = mkdtempSync(join(tmpdir(), 'pinpoint-redact-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const defaults = ConfigSchema.parse({}).log;
const rules = redactionRules(['x-internal-secret'], defaults.redactQueryParams);

test('headers: each secret header is redacted, the scheme of authorization is kept', () => {
  const rows: Array<[string, string | string[], string | string[]]> = [
    ['authorization', 'Bearer abc.def.ghi', 'Bearer [redacted]'],
    ['authorization', 'Basic dXNlcjpwYXNz', 'Basic [redacted]'],
    ['authorization', 'justatoken', '[redacted]'],
    ['proxy-authorization', 'Basic dXNlcjpwYXNz', 'Basic [redacted]'],
    ['cookie', 'session=abc; theme=dark', '[redacted]'],
    ['set-cookie', ['a=1', 'b=2'], ['[redacted]', '[redacted]']],
    ['x-api-key', 'pk_live_123', '[redacted]'],
    ['x-internal-secret', 'configured', '[redacted]'],
    ['X-Internal-Secret', 'any case', '[redacted]'],
    ['accept', 'application/json', 'application/json'],
  ];
  for (const [name, value, expected] of rows) {
    assert.deepEqual(redactHeaders({ [name]: value }, rules), { [name.toLowerCase()]: expected }, `${name}: ${value}`);
  }
  assert.deepEqual(redactHeaders({ absent: undefined }, rules), {});
});

test('query: configured parameters lose their value, the rest stays byte for byte', () => {
  const rows: Array<[string, string]> = [
    ['', ''],
    ['a=1&b=2', 'a=1&b=2'],
    ['token=s3cr3t&page=2', 'token=[redacted]&page=2'],
    ['TOKEN=s3cr3t', 'TOKEN=[redacted]'],
    ['api%5Fkey=s3cr3t', 'api%5Fkey=[redacted]'],
    ['a=%20x&access_token=t&access_token=u', 'a=%20x&access_token=[redacted]&access_token=[redacted]'],
    ['token', 'token'],
    ['token=', 'token=[redacted]'],
    ['x=%E0%A4%A', 'x=%E0%A4%A'],
  ];
  for (const [input, expected] of rows) assert.equal(redactQuery(input, rules), expected, input);
});

test('a secret copied into the decision is scrubbed from it too', () => {
  const r = deniedRecord({
    query: 'token=QUERYSECRET77',
    requestHeaders: { authorization: 'Bearer TOKENVALUE123', cookie: 'sid=COOKIEVALUE9' },
  });
  r.decision.evidence = [
    { where: 'header:authorization', expected: 'a valid token', observed: 'Bearer TOKENVALUE123' },
    { where: 'query:token', expected: 'x', observed: 'QUERYSECRET77' },
    { where: 'cookie', expected: 'x', observed: 'sid=COOKIEVALUE9 and more' },
  ];
  r.decision.detail = 'token TOKENVALUE123 is unknown';
  r.error = 'GET /x?token=QUERYSECRET77 failed';
  const out = redactRecord(r, rules);
  const text = JSON.stringify(out);
  for (const secret of ['TOKENVALUE123', 'QUERYSECRET77', 'COOKIEVALUE9']) assert.ok(!text.includes(secret), secret);
  assert.equal(out.decision.evidence[0].observed, '[redacted]');
  assert.equal(out.decision.detail, 'token [redacted] is unknown');
  // The input record is left as it was.
  assert.equal(r.decision.evidence[0].observed, 'Bearer TOKENVALUE123');
});

test('no secret reaches the SQLite file or its WAL, in any form', async () => {
  const secrets = {
    bearer: 'BEARER-SECRET-7f3a9c',
    basicPassword: 'BASIC-PASSWORD-5e1d',
    cookie: 'COOKIE-SECRET-2b8e4f',
    apiKey: 'APIKEY-SECRET-9d0c1a',
    query: 'QUERY-SECRET-4c6b2e',
    custom: 'CUSTOM-SECRET-1a2b3c',
    proxy: 'PROXY-SECRET-8e7f6d',
  };
  const file = join(dir, 'secrets.db');
  const log = openCallLog({ ...defaults, file, flushIntervalMs: 5, redactHeaders: ['X-Internal-Secret'] }, dir);
  const r1 = deniedRecord({
    query: `page=2&token=${secrets.query}`,
    requestHeaders: {
      host: 'api.example.test',
      authorization: `Bearer ${secrets.bearer}`,
      cookie: `session=${secrets.cookie}; theme=dark`,
      'x-api-key': secrets.apiKey,
      'x-internal-secret': secrets.custom,
      'proxy-authorization': `Basic ${Buffer.from(`proxyuser:${secrets.proxy}`).toString('base64')}`,
    },
  });
  // A layer that forgot to redact its evidence.
  r1.decision.evidence.push({ where: 'header:authorization', expected: 'a known token', observed: `Bearer ${secrets.bearer}` });
  r1.decision.evidence.push({ where: 'header:x-api-key', expected: 'a known key', observed: secrets.apiKey });
  const r2 = deniedRecord({
    requestHeaders: { authorization: `Basic ${Buffer.from(`alice:${secrets.basicPassword}`).toString('base64')}` },
  });
  r2.decision.evidence.push({ where: 'credential', expected: 'x', observed: `alice:${secrets.basicPassword}` });
  log.record(r1);
  log.record(r2);

  const assertClean = (when: string) => {
    const files = [file, `${file}-wal`].filter(existsSync);
    const bytes = Buffer.concat(files.map((f) => readFileSync(f)));
    for (const [name, secret] of Object.entries(secrets)) {
      for (const form of [secret, Buffer.from(secret).toString('base64'), encodeURIComponent(secret)]) {
        assert.equal(bytes.indexOf(form), -1, `${when}: ${name} secret found in ${files.join(', ')}`);
      }
    }
    // The records are really in these bytes: the test would see a secret if one were stored.
    assert.notEqual(bytes.indexOf(r1.requestId), -1, `${when}: the files hold the record`);
    assert.notEqual(bytes.indexOf('Bearer [redacted]'), -1, `${when}: the files hold the redacted header`);
  };

  for (let i = 0; i < 300 && log.stats().written < 2; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(log.stats().written, 2);
  assertClean('while open');
  await log.close();
  assertClean('after close');

  const reader = openCallLogReader(file);
  const stored = reader.get(r1.requestId)!;
  assert.equal(stored.requestHeaders.authorization, 'Bearer [redacted]');
  assert.equal(stored.requestHeaders.cookie, '[redacted]');
  assert.equal(stored.requestHeaders['x-api-key'], '[redacted]');
  assert.equal(stored.requestHeaders['x-internal-secret'], '[redacted]');
  assert.equal(stored.requestHeaders['proxy-authorization'], 'Basic [redacted]');
  assert.equal(stored.requestHeaders.host, 'api.example.test');
  assert.equal(stored.query, 'page=2&token=[redacted]');
  assert.deepEqual(stored.decision.evidence.slice(1).map((e) => e.observed), ['[redacted]', '[redacted]']);
  assert.equal(reader.get(r2.requestId)!.decision.evidence[1].observed, 'alice:[redacted]');
  reader.close();
});
