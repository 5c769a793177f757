import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openCallLog } from '../calllog/index.ts';
import { allowedRecord, deniedRecord } from '../calllog/sample-record.ts';
import { ConfigSchema } from '../config/schema.ts';
import { runCli } from './run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'pinpoint-why-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// The config says log.file: logs/calls.db, so -c must resolve it against the config's directory.
const configFile = join(dir, 'conf', 'gateway.yaml');
const db = join(dir, 'conf', 'logs', 'calls.db');
const denied = deniedRecord({
  correlationId: 'client-corr-77',
  consumer: 'acme',
  requestHeaders: { host: 'api.example.test', authorization: 'Bearer SECRET-TOKEN-abc123', 'x-evil': 'a\u001b[2Jb' },
});
const allowed = allowedRecord();

before(async () => {
  mkdirSync(join(dir, 'conf'), { recursive: true });
  writeFileSync(configFile, 'log:\n  file: logs/calls.db\n');
  const log = openCallLog({ ...ConfigSchema.parse({}).log, file: db });
  log.record(denied);
  log.record(allowed);
  await log.close();
});

test('why prints what refused a request, for a person', async () => {
  const r = await runCli(['why', denied.requestId, '-c', configFile]);
  assert.equal(r.code, 0, r.stderr);
  const out = r.stdout;
  assert.match(out, new RegExp(`^Request ${denied.requestId}: DENIED 405 method\\.not_allowed\n  The route does not allow this method`));
  assert.match(out, /layer +method/);
  assert.match(out, /rule +route:orders/);
  assert.match(out, /kind +no matching allow/);
  assert.match(out, /detail +POST is not allowed on \/orders\/:id/);
  assert.match(out, /Evidence\n +where +expected +observed\n +method +GET, HEAD +POST/);
  assert.match(out, /Fixes\n +who +action +proved +retryable\n +client +Use one of: GET, HEAD\. +no +no/);
  assert.match(out, /Also would deny: \(nothing else\)/);
  assert.match(out, /Trace\n +layer +verdict +rule +code +µs\n +route +pass +orders +9\n +method +deny +route:orders +method\.not_allowed +4/);
  assert.match(out, /request +POST \/orders\/42\?expand=items/);
  assert.match(out, /client ip +127\.0\.0\.1/);
  assert.match(out, /config +revision rev0001/);
  assert.match(out, /upstream +\(not called\)/);
  assert.match(out, /authorization: Bearer \[redacted\]/);
  assert.ok(!out.includes('SECRET-TOKEN'), 'the secret was redacted before storage');
  // A control character from the request is shown escaped, never sent to the terminal.
  assert.ok(!out.includes('\u001b'));
  assert.match(out, /x-evil: a\\x1b\[2Jb/);
});

test('why tells an allowed request apart, with the upstream status and latency', async () => {
  const r = await runCli(['why', allowed.requestId, '--db', db]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^Request ${allowed.requestId}: ALLOWED 200\n`));
  assert.match(r.stdout, /upstream +http:\/\/127\.0\.0\.1:9000, status 200, in 4\.2 ms/);
  assert.match(r.stdout, /Every layer passed; route orders served it\./);
  assert.doesNotMatch(r.stdout, /Evidence/);
});

test('why --json prints the stored record; a correlation id finds it too', async () => {
  const r = await runCli(['why', 'client-corr-77', '--db', db, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const record = JSON.parse(r.stdout);
  assert.equal(record.requestId, denied.requestId);
  assert.equal(record.status, 405);
  assert.equal(record.consumer, 'acme');
  assert.deepEqual(record.decision.trace, denied.decision.trace);
  assert.equal(record.requestHeaders.authorization, 'Bearer [redacted]');
});

test('why exits 1 with a clear message when the id is not in the log', async () => {
  const r = await runCli(['why', 'req_doesnotexist', '--db', db]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /No request "req_doesnotexist" in the call log/);
});

test('why exits 1 when there is no call log to read', async () => {
  const missing = await runCli(['why', 'req_x', '--db', join(dir, 'nope.db')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /No call log at .*nope\.db/);
  const unspecified = await runCli(['why', 'req_x'], { cwd: dir });
  assert.equal(unspecified.code, 1);
  assert.match(unspecified.stderr, /Give -c FILE .* or --db FILE/);
});
