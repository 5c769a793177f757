// A real call log file for tests of the queries over it (reports, alerts): records are written
// through the call log's writer and read back with CallAggregates, as the gateway does.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CallAggregates } from '../../src/calllog/aggregate.ts';
import { openCallLog } from '../../src/calllog/index.ts';
import type { CallLog, CallRecord } from '../../src/calllog/types.ts';
import { loadConfigText } from '../../src/config/load.ts';

export type WriteRecords = (records: CallRecord[]) => Promise<void>;

/** Runs fn with a fresh call log file, a writer that waits until the records are stored, and a query opener. */
export async function withLog(fn: (log: CallLog, write: WriteRecords, q: () => CallAggregates, file: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pinpoint-log-'));
  const file = join(dir, 'calls.db');
  const log = openCallLog({ ...loadConfigText('{}', 'x.yaml').config.log, file, flushIntervalMs: 5, retentionDays: 3650 });
  const write: WriteRecords = async (records) => {
    const target = log.stats().written + records.length;
    for (const r of records) log.record(r);
    for (let i = 0; i < 500 && log.stats().written < target; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(log.stats().written, target, 'the call log did not store the records in time');
  };
  const opened: CallAggregates[] = [];
  try {
    await fn(
      log,
      write,
      () => {
        const q = new CallAggregates(file);
        opened.push(q);
        return q;
      },
      file,
    );
  } finally {
    for (const q of opened) q.close();
    await log.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
