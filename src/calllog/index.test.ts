import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ConfigSchema, type Config } from '../config/schema.ts';
import { openCallLog, openCallLogReader, type CallLogTuning } from './index.ts';
import { allowedRecord, deniedRecord } from './sample-record.ts';
import type { CallLog } from './types.ts';

const dir = mkdtempSync(join(tmpdir(), 'pinpoint-calllog-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function logConfig(over: Partial<Config['log']> = {}): Config['log'] {
  return { ...ConfigSchema.parse({}).log, file: join(dir, `calls-${++n}.db`), flushIntervalMs: 5, ...over };
}

function open(over: Partial<Config['log']> = {}, tuning?: CallLogTuning): { log: CallLog; file: string } {
  const cfg = logConfig(over);
  return { log: openCallLog(cfg, dir, tuning), file: cfg.file };
}

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  for (let waited = 0; !cond(); waited += 10) {
    if (waited > ms) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('a record comes back from the file as it went in, with its decision and trace', async () => {
  const { log, file } = open();
  const denied = deniedRecord({ correlationId: 'client-corr-1', consumer: 'acme', tenant: 't1' });
  const allowed = allowedRecord();
  log.record(denied);
  log.record(allowed);
  await log.close();
  assert.deepEqual(log.stats(), { written: 2, dropped: 0, queued: 0 });

  const reader = openCallLogReader(file);
  const got = reader.get(denied.requestId);
  assert.ok(got);
  assert.equal(got.status, 405);
  assert.equal(got.code, 'method.not_allowed');
  assert.equal(got.layer, 'method');
  assert.equal(got.consumer, 'acme');
  assert.equal(got.tenant, 't1');
  assert.equal(got.correlationId, 'client-corr-1');
  assert.deepEqual(got.decision, denied.decision);
  assert.equal(got.upstreamStatus, undefined);
  const ok = reader.get(allowed.requestId)!;
  assert.equal(ok.upstreamStatus, 200);
  assert.equal(ok.upstreamMs, 4.2);
  assert.equal(ok.query, 'expand=items');
  // A correlation id finds the request too.
  assert.equal(reader.get('client-corr-1')?.requestId, denied.requestId);
  assert.equal(reader.get('req_nope'), undefined);
  assert.equal(reader.lastRowId(), 2);
  reader.close();
});

test('a relative file is resolved against the base directory', async () => {
  const log = openCallLog({ ...logConfig(), file: 'nested/relative.db' }, dir);
  const r = allowedRecord();
  log.record(r);
  await log.close();
  const reader = openCallLogReader(join(dir, 'nested', 'relative.db'));
  assert.equal(reader.get(r.requestId)?.requestId, r.requestId);
  reader.close();
});

test('records are written in batches off the request path', async () => {
  const { log, file } = open({ batchSize: 5, flushIntervalMs: 60_000 });
  const reader = openCallLogReader(file);
  try {
    for (let i = 0; i < 5; i++) log.record(allowedRecord());
    // record() only queues: nothing is written synchronously.
    assert.deepEqual(log.stats(), { written: 0, dropped: 0, queued: 5 });
    assert.equal(reader.lastRowId(), 0);
    // A full batch goes at once, without waiting for the (long) flush interval.
    await until(() => log.stats().written === 5);
    assert.equal(reader.list({}).length, 5);
    // A partial batch waits for the interval...
    log.record(allowedRecord());
    log.record(allowedRecord());
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(log.stats(), { written: 5, dropped: 0, queued: 2 });
    assert.equal(reader.list({}).length, 5);
  } finally {
    // ...or for close(), which flushes it.
    await log.close();
  }
  assert.deepEqual(log.stats(), { written: 7, dropped: 0, queued: 0 });
  assert.equal(reader.list({}).length, 7);
  reader.close();
});

test('the flush interval writes a partial batch', async () => {
  const { log, file } = open({ batchSize: 1000, flushIntervalMs: 20 });
  log.record(allowedRecord());
  await until(() => log.stats().written === 1);
  const reader = openCallLogReader(file);
  assert.equal(reader.list({}).length, 1);
  reader.close();
  await log.close();
});

test('under overload record() drops and counts instead of queueing without bound', async () => {
  const { log, file } = open({ queueLimit: 3, batchSize: 100, flushIntervalMs: 60_000 });
  for (let i = 0; i < 10; i++) log.record(allowedRecord());
  assert.deepEqual(log.stats(), { written: 0, dropped: 7, queued: 3 });
  await log.close();
  assert.deepEqual(log.stats(), { written: 3, dropped: 7, queued: 0 });
  // A record after close is dropped and counted too.
  log.record(allowedRecord());
  assert.equal(log.stats().dropped, 8);
  const reader = openCallLogReader(file);
  assert.equal(reader.list({}).length, 3);
  reader.close();
});

test('a request id already stored is not written twice, and that is counted', async () => {
  const { log, file } = open();
  const r = allowedRecord();
  log.record(r);
  log.record({ ...r, status: 500 });
  await log.close();
  assert.equal(log.stats().written, 1);
  assert.equal(log.stats().dropped, 1);
  assert.match(log.stats().lastError ?? '', /already stored/);
  const reader = openCallLogReader(file);
  assert.equal(reader.get(r.requestId)?.status, 200);
  reader.close();
});

test('retention at open deletes rows older than retentionDays and beyond maxRows', async () => {
  const day = 86_400_000;
  const cfg = logConfig({ retentionDays: 7 });
  const first = openCallLog(cfg, dir);
  const old = [1, 2].map(() => allowedRecord({ at: Date.now() - 10 * day }));
  const recent = [1, 2, 3].map((i) => allowedRecord({ at: Date.now() - i * day }));
  for (const r of [...old, ...recent]) first.record(r);
  await first.close();
  let reader = openCallLogReader(cfg.file);
  assert.equal(reader.list({}).length, 5);
  reader.close();

  await openCallLog(cfg, dir).close();
  reader = openCallLogReader(cfg.file);
  assert.deepEqual(reader.list({}).map((c) => c.requestId).sort(), recent.map((r) => r.requestId).sort());
  reader.close();

  await openCallLog({ ...cfg, maxRows: 2 }, dir).close();
  reader = openCallLogReader(cfg.file);
  // The newest two rows by insertion stay.
  assert.deepEqual(reader.list({}).map((c) => c.requestId), [recent[2].requestId, recent[1].requestId]);
  reader.close();
});

test('retention also runs periodically while the log is open', async () => {
  const { log, file } = open({ maxRows: 3 }, { retentionIntervalMs: 30 });
  for (let i = 0; i < 8; i++) log.record(allowedRecord());
  await until(() => log.stats().written === 8);
  const reader = openCallLogReader(file);
  await until(() => reader.list({}).length === 3);
  assert.equal(reader.lastRowId(), 8);
  await log.close();
  reader.close();
});

test('list filters by status, code (exact and prefix), layer, route, consumer, outcome, since', async () => {
  const { log, file } = open();
  const t = Date.now();
  const a = allowedRecord({ at: t - 60_000, consumer: 'acme' });
  const b = deniedRecord({ at: t - 30_000, consumer: 'acme' });
  const c = deniedRecord({
    at: t - 1_000,
    route: undefined,
    status: 404,
    code: 'route.not_found',
    layer: 'route',
    path: '/nowhere',
  });
  const d = allowedRecord({ at: t, route: 'users', status: 502, outcome: 'error', code: 'upstream.connect_failed', layer: 'upstream' });
  for (const r of [a, b, c, d]) log.record(r);
  await log.close();
  const reader = openCallLogReader(file);
  const ids = (f: Parameters<typeof reader.list>[0]) => reader.list(f).map((x) => x.requestId);

  assert.deepEqual(ids({}), [d, c, b, a].map((r) => r.requestId), 'newest first');
  assert.deepEqual(ids({ status: 405 }), [b.requestId]);
  assert.deepEqual(ids({ code: 'route.not_found' }), [c.requestId]);
  assert.deepEqual(ids({ code: 'route.' }), [c.requestId]);
  assert.deepEqual(ids({ code: 'upstream.*' }), [d.requestId]);
  assert.deepEqual(ids({ code: 'route' }), [], 'a code without a trailing dot is exact');
  assert.deepEqual(ids({ code: 'r%' }), [], 'LIKE wildcards are matched literally');
  assert.deepEqual(ids({ layer: 'method' }), [b.requestId]);
  assert.deepEqual(ids({ route: 'orders' }), [b, a].map((r) => r.requestId));
  assert.deepEqual(ids({ consumer: 'acme' }), [b, a].map((r) => r.requestId));
  assert.deepEqual(ids({ outcome: 'error' }), [d.requestId]);
  assert.deepEqual(ids({ since: t - 5_000 }), [d, c].map((r) => r.requestId));
  assert.deepEqual(ids({ consumer: 'acme', status: 200 }), [a.requestId], 'filters combine');
  assert.deepEqual(ids({ limit: 2 }), [d, c].map((r) => r.requestId));
  assert.deepEqual(ids({ afterRowId: 2 }), [c, d].map((r) => r.requestId), 'ascending after a row id');
  assert.deepEqual(ids({ afterRowId: 1, untilRowId: 3 }), [b, c].map((r) => r.requestId));
  reader.close();
});

test('a reader on a missing file fails clearly', () => {
  assert.throws(() => openCallLogReader(join(dir, 'missing.db')), /unable to open|does not exist|directory does not exist/i);
});
