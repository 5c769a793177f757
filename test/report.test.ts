import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CallAggregates } from '../src/calllog/aggregate.ts';
import { openCallLog } from '../src/calllog/index.ts';
import { allowedRecord, deniedRecord } from '../src/calllog/sample-record.ts';
import type { CallLog, CallRecord } from '../src/calllog/types.ts';
import { loadConfigText } from '../src/config/load.ts';
import { createMetrics } from '../src/admin/metrics.ts';
import { startAdmin } from '../src/admin/server.ts';
import { openCallLogReader } from '../src/calllog/index.ts';
import { runCli } from '../src/cli/run-cli.ts';
import { buildReport } from '../src/report/report.ts';
import { renderReport, sparkline } from '../src/report/render.ts';

const HOUR = 3_600_000;
const END = Date.UTC(2026, 0, 15, 12, 0, 0);
const FROM = END - HOUR;

let dir: string;
let file: string;
let log: CallLog;

async function write(records: CallRecord[]): Promise<void> {
  const target = log.stats().written + records.length;
  for (const r of records) log.record(r);
  for (let i = 0; i < 500 && log.stats().written < target; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(log.stats().written, target, 'the call log did not store the records in time');
}

const deny = (at: number, over: Partial<CallRecord> = {}) => deniedRecord({ at, ...over });

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pinpoint-report-'));
  file = join(dir, 'calls.db');
  log = openCallLog({ ...loadConfigText('{}', 'x.yaml').config.log, file, flushIntervalMs: 5, retentionDays: 3650 });
  const records: CallRecord[] = [];
  // Previous hour: acme denied 2 times (method layer), 10 allowed calls.
  for (let i = 0; i < 2; i++) records.push(deny(FROM - HOUR + 60_000 * (i + 1), { consumer: 'acme', tenant: 't1' }));
  for (let i = 0; i < 10; i++) records.push(allowedRecord({ at: FROM - HOUR + 1000 * i }));
  // This hour: acme denied 8 times in the last quarter; globex 3 times by the waf, early; 20 allowed.
  for (let i = 0; i < 8; i++) records.push(deny(END - 10 * 60_000 + i * 1000, { consumer: 'acme', tenant: 't1', clientIp: '203.0.113.9' }));
  for (let i = 0; i < 3; i++) {
    records.push(deny(FROM + 60_000 + i, { consumer: 'globex', tenant: 't2', code: 'waf.blocked', layer: 'waf', status: 403, route: 'comments' }));
  }
  for (let i = 0; i < 20; i++) records.push(allowedRecord({ at: FROM + 1000 * i }));
  // Outside both periods: never counted.
  records.push(deny(END + 1000), deny(FROM - 2 * HOUR - 1));
  await write(records);
});

after(async () => {
  await log.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the report counts denials of the period, by group, against the previous period', () => {
  const q = new CallAggregates(file);
  try {
    const r = buildReport(q, { from: FROM, to: END, buckets: 12, top: 10 });
    assert.deepEqual([r.requests, r.denials, r.previousRequests, r.previousDenials], [31, 11, 12, 2]);
    assert.equal(r.bucketMs, 5 * 60_000);
    assert.deepEqual(r.series, [3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0]);
    assert.deepEqual(r.groups.consumer!.map((g) => [g.key, g.count, g.previous]), [['acme', 8, 2], ['globex', 3, 0]]);
    assert.deepEqual(r.groups.layer!.map((g) => [g.key, g.count, g.previous]), [['method', 8, 2], ['waf', 3, 0]]);
    assert.deepEqual(r.groups.code!.map((g) => g.key), ['method.not_allowed', 'waf.blocked']);
    assert.deepEqual(r.groups.client!.map((g) => [g.key, g.count]), [['203.0.113.9', 8], ['127.0.0.1', 3]]);
    assert.deepEqual(r.groups.route!.find((g) => g.key === 'comments')!.series, [3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    // The biggest mover: a client address new in this period (+8), then acme's +6 on several dimensions.
    assert.deepEqual(r.movers[0], { dimension: 'client', key: '203.0.113.9', count: 8, previous: 0, change: 8 });
    assert.deepEqual(r.movers[1], { dimension: 'layer', key: 'method', count: 8, previous: 2, change: 6 });
    assert.ok(r.movers.some((m) => m.dimension === 'consumer' && m.key === 'globex' && m.change === 3));
    assert.ok(r.movers.every((m, i) => i === 0 || Math.abs(m.change) <= Math.abs(r.movers[i - 1]!.change)));
  } finally {
    q.close();
  }
});

test('the terminal rendering has totals, movers, a table per group and sparklines', () => {
  const q = new CallAggregates(file);
  try {
    const text = renderReport(buildReport(q, { from: FROM, to: END, buckets: 12, top: 5 }));
    assert.match(text, /requests 31, denied 11 \(35\.5%\); previous period: requests 12, denied 2 \(16\.7%\); change \+9 \(\+450%\)/);
    assert.match(text, /one mark per 300 s: \|▃ {9}█ \| peak 8/);
    assert.match(text, /Top movers against the previous period/);
    assert.match(text, /By consumer\nconsumer +denied +share +before +change +over time\nacme +8 +72\.7% +2 +\+6 \(\+300%\)/);
    assert.match(text, /globex +3 +27\.3% +0 +\+3 \(new\)/);
  } finally {
    q.close();
  }
});

test('sparkline: scaled to the peak, empty buckets blank', () => {
  assert.equal(sparkline([0, 1, 2, 4, 8]), ' ▁▂▄█');
  assert.equal(sparkline([0, 0]), '  ');
  assert.equal(sparkline([5]), '█');
});

test('GET /report on the admin API, and its refusals', async () => {
  const reader = openCallLogReader(file);
  const aggregates = new CallAggregates(file);
  const loaded = loadConfigText('{}', 'x.yaml');
  const token = 'report-admin-token-0123456789abcdef';
  const admin = await startAdmin({
    host: '127.0.0.1', port: 0, token, loaded: () => loaded, reader, callLogStats: () => log.stats(),
    upstreamHealth: () => [], metrics: createMetrics(), ready: () => true, aggregates,
  });
  const get = (q: string) => fetch(`http://127.0.0.1:${admin.address.port}/report${q}`, { headers: { authorization: `Bearer ${token}` } });
  try {
    const res = await get(`?since=${FROM}&until=${END}&buckets=4&top=2`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { denials: number; series: number[]; groups: { consumer: unknown[] }; movers: unknown[] };
    assert.equal(body.denials, 11);
    assert.deepEqual(body.series, [3, 0, 0, 8]);
    assert.equal(body.groups.consumer.length, 2);
    assert.equal(body.movers.length, 2);
    for (const q of ['?since=yesterday', '?buckets=0', '?top=101', `?since=${END}&until=${FROM}`, '?nope=1']) {
      const bad = await get(q);
      assert.equal(bad.status, 400, q);
      assert.equal(((await bad.json()) as { code: string }).code, 'admin.bad_query');
    }
    const anonymous = await fetch(`http://127.0.0.1:${admin.address.port}/report`);
    assert.equal(anonymous.status, 401);
  } finally {
    await admin.close();
    aggregates.close();
    reader.close();
  }
});

test('pinpoint report --db prints the table, and --json the data', async () => {
  const range = ['--since', new Date(FROM).toISOString(), '--until', new Date(END).toISOString()];
  const text = await runCli(['report', '--db', file, ...range, '--buckets', '12'], { timeoutMs: 30_000 });
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /requests 31, denied 11/);
  assert.match(text.stdout, /By tenant/);
  const json = await runCli(['report', '--db', file, ...range, '--json'], { timeoutMs: 30_000 });
  assert.equal(json.code, 0, json.stderr);
  assert.equal((JSON.parse(json.stdout) as { denials: number }).denials, 11);
  const missing = await runCli(['report', '--db', join(dir, 'none.db')], { timeoutMs: 30_000 });
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /No call log at/);
});
