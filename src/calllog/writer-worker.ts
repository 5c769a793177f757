// The call log's writer thread: redacts each record that may hold a secret, then inserts a
// whole batch in one transaction. Nothing here runs on the gateway's event loop.
import { parentPort, workerData } from 'node:worker_threads';
import type { BatchEntry, FromWriter, ToWriter, WriterSetup } from './protocol.ts';
import { redactionRules, redactRecord } from './redact.ts';
import { applyRetention } from './retention.ts';
import { callRow } from './row.ts';
import { INSERT_CALL, openForWriting } from './schema.ts';

const port = parentPort!;
const setup = workerData as WriterSetup;
const rules = redactionRules(setup.redactHeaders, setup.redactQueryParams);
const db = openForWriting(setup.file);
const insert = db.prepare(INSERT_CALL);

// A row came ready from the gateway thread (its call held no secret); a record is redacted here.
const insertBatch = db.transaction((entries: BatchEntry[]) => {
  let inserted = 0;
  for (const e of entries) inserted += insert.run(Array.isArray(e) ? e : callRow(redactRecord(e, rules))).changes;
  return inserted;
});

function send(message: FromWriter): void {
  port.postMessage(message);
}

function retain(): void {
  try {
    send({ type: 'retained', deleted: applyRetention(db, setup.retentionDays, setup.maxRows) });
  } catch (err) {
    send({ type: 'retained', deleted: 0, error: String((err as Error).message ?? err) });
  }
}

retain();
const retentionTimer = setInterval(retain, setup.retentionIntervalMs);
retentionTimer.unref();

port.on('message', (msg: ToWriter) => {
  if (msg.type === 'batch') {
    try {
      const inserted = insertBatch(msg.entries);
      send({ type: 'written', id: msg.id, count: msg.entries.length, inserted });
    } catch (err) {
      send({ type: 'written', id: msg.id, count: msg.entries.length, inserted: 0, error: String((err as Error).message ?? err) });
    }
    return;
  }
  clearInterval(retentionTimer);
  // Folds the WAL back into the main file so the log is one file at rest.
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
  } catch {
    // A reader holding a snapshot keeps the WAL; it is folded in at the next open.
  }
  db.close();
  send({ type: 'closed' });
  port.close();
});

send({ type: 'ready' });
