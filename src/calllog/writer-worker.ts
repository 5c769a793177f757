// The call log's writer thread: redacts each record, then inserts a whole batch in one
// transaction. Nothing here runs on the gateway's event loop.
import { parentPort, workerData } from 'node:worker_threads';
import type { FromWriter, ToWriter, WriterSetup } from './protocol.ts';
import { redactionRules, redactRecord } from './redact.ts';
import { applyRetention } from './retention.ts';
import { INSERT_CALL, openForWriting } from './schema.ts';
import type { CallRecord } from './types.ts';

const port = parentPort!;
const setup = workerData as WriterSetup;
const rules = redactionRules(setup.redactHeaders, setup.redactQueryParams);
const db = openForWriting(setup.file);
const insert = db.prepare(INSERT_CALL);

const insertBatch = db.transaction((records: CallRecord[]) => {
  let inserted = 0;
  for (const r of records) inserted += insert.run(row(redactRecord(r, rules))).changes;
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
      const inserted = insertBatch(msg.records);
      send({ type: 'written', id: msg.id, count: msg.records.length, inserted });
    } catch (err) {
      send({ type: 'written', id: msg.id, count: msg.records.length, inserted: 0, error: String((err as Error).message ?? err) });
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

function row(r: CallRecord) {
  return {
    at: Math.round(r.at),
    request_id: r.requestId,
    correlation_id: r.correlationId ?? null,
    consumer: r.consumer ?? null,
    tenant: r.tenant ?? null,
    route: r.route ?? null,
    method: r.method,
    path: r.path,
    query: r.query ?? '',
    host: r.host ?? '',
    client_ip: r.clientIp ?? '',
    status: r.status,
    outcome: r.outcome,
    code: r.code ?? null,
    layer: r.layer ?? null,
    upstream: r.upstream ?? null,
    upstream_status: r.upstreamStatus ?? null,
    upstream_ms: r.upstreamMs ?? null,
    total_ms: r.totalMs,
    config_revision: r.configRevision,
    error: r.error ?? null,
    decision: JSON.stringify(r.decision),
    request_headers: JSON.stringify(r.requestHeaders),
  };
}
