import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openCallLog } from '../calllog/index.ts';
import { allowedRecord, deniedRecord } from '../calllog/sample-record.ts';
import type { CallRecord } from '../calllog/types.ts';
import { ConfigSchema } from '../config/schema.ts';
import { exited, runCli, spawnCli, waitForOutput } from './run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'pinpoint-logs-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const db = join(dir, 'calls.db');
const logConfig = { ...ConfigSchema.parse({}).log, file: db, flushIntervalMs: 5 };

const now = Date.now();
const old = allowedRecord({ at: now - 3 * 3_600_000, route: 'users', consumer: 'globex' });
const notFound = deniedRecord({
  at: now - 60_000,
  status: 404,
  code: 'route.not_found',
  layer: 'route',
  route: undefined,
  path: '/nowhere',
  method: 'GET',
});
const notAllowed = deniedRecord({ at: now - 30_000, consumer: 'acme' });
const ok = allowedRecord({ at: now - 1_000, consumer: 'acme' });

async function write(records: CallRecord[]): Promise<void> {
  const log = openCallLog(logConfig);
  for (const r of records) log.record(r);
  await log.close();
}

before(() => write([old, notFound, notAllowed, ok]));

/** The request ids in the order the table lists them. */
function ids(stdout: string): string[] {
  return [...stdout.matchAll(/ (req_\w+) /g)].map((m) => m[1]);
}

test('logs lists the newest calls in a compact table, oldest first', async () => {
  const r = await runCli(['logs', '--db', db]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.match(lines[0], /^time \(UTC\) +request id +method +path +status +code \/ route +ms$/);
  assert.deepEqual(ids(r.stdout), [old, notFound, notAllowed, ok].map((c) => c.requestId));
  assert.match(lines[2], new RegExp(`^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} ${notFound.requestId} +GET +/nowhere +404 +route\\.not_found +5\\.1$`));
  assert.match(lines[4], /GET +\/orders\/42 +200 +orders +5\.1$/);
});

test('logs filters by status, code prefix, layer, route, consumer, since and limit', async () => {
  // Each flag changes the result of its case, so a flag that is not wired fails.
  const cases: Array<[string[], CallRecord[]]> = [
    [['--code', 'route.'], [notFound]],
    [['--status', '200', '--consumer', 'acme'], [ok]],
    [['--layer', 'method'], [notAllowed]],
    [['--route', 'users'], [old]],
    [['--since', new Date(now - 45_000).toISOString()], [notAllowed, ok]],
    [['--since', '2h', '--limit', '1'], [ok]],
  ];
  const results = await Promise.all(cases.map(([args]) => runCli(['logs', '--db', db, ...args])));
  results.forEach((r, i) => {
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(ids(r.stdout), cases[i][1].map((c) => c.requestId), cases[i][0].join(' '));
  });
});

test('logs --json prints one stored record per line', async () => {
  const r = await runCli(['logs', '--db', db, '--code', 'route.*', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(lines.length, 1);
  const record = JSON.parse(lines[0]);
  assert.equal(record.requestId, notFound.requestId);
  assert.equal(record.decision.code, 'route.not_found');
});

test('logs refuses a bad filter value with a clear message', async () => {
  const r = await runCli(['logs', '--db', db, '--since', 'yesterday']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /--since.*invalid.*30s, 10m, 2h, 1d or an ISO time/);
});

test('logs --follow prints calls written after it started, filtered, until SIGINT', async () => {
  const child = spawnCli(['logs', '--db', db, '--follow', '--consumer', 'acme']);
  try {
    const { output } = await waitForOutput(child, new RegExp(ok.requestId));
    const later = deniedRecord({ consumer: 'acme' });
    const other = allowedRecord({ consumer: 'someone-else' });
    // Listening before the write: the follower may print it before the write's promise settles.
    const printed = waitForOutput(child, new RegExp(later.requestId), 15000);
    await write([other, later]);
    await printed;
    child.kill('SIGINT');
    assert.equal(await exited(child), 0);
    assert.deepEqual(ids(output()), [notAllowed, ok, later].map((c) => c.requestId));
    assert.equal(output().match(/^time \(UTC\)/gm)?.length, 1, 'one header');
  } finally {
    child.kill('SIGKILL');
  }
});
