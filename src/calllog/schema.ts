import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

/**
 * The call log's SQLite layout. Columns hold what `pinpoint logs` and the admin API filter
 * on; the decision and the (redacted) request headers are JSON text.
 *
 * `row_id` is AUTOINCREMENT so an id is never reused after retention deletes rows:
 * followers page with "rows after id N" and must never miss or repeat one.
 */
export const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS calls (
  row_id          INTEGER PRIMARY KEY AUTOINCREMENT,
  at              INTEGER NOT NULL,
  request_id      TEXT    NOT NULL UNIQUE,
  correlation_id  TEXT,
  consumer        TEXT,
  tenant          TEXT,
  route           TEXT,
  method          TEXT    NOT NULL,
  path            TEXT    NOT NULL,
  query           TEXT    NOT NULL DEFAULT '',
  host            TEXT    NOT NULL DEFAULT '',
  client_ip       TEXT    NOT NULL DEFAULT '',
  status          INTEGER NOT NULL,
  outcome         TEXT    NOT NULL,
  code            TEXT,
  layer           TEXT,
  upstream        TEXT,
  upstream_status INTEGER,
  upstream_ms     REAL,
  total_ms        REAL    NOT NULL,
  config_revision TEXT    NOT NULL,
  error           TEXT,
  decision        TEXT    NOT NULL,
  request_headers TEXT    NOT NULL
);
-- request_id is indexed by its UNIQUE constraint.
CREATE INDEX IF NOT EXISTS calls_at ON calls (at);
CREATE INDEX IF NOT EXISTS calls_code ON calls (code);
CREATE INDEX IF NOT EXISTS calls_status ON calls (status);
CREATE INDEX IF NOT EXISTS calls_correlation_id ON calls (correlation_id);
`;

export const INSERT_CALL = `
INSERT OR IGNORE INTO calls (at, request_id, correlation_id, consumer, tenant, route, method, path, query, host, client_ip,
  status, outcome, code, layer, upstream, upstream_status, upstream_ms, total_ms, config_revision, error, decision, request_headers)
VALUES (@at, @request_id, @correlation_id, @consumer, @tenant, @route, @method, @path, @query, @host, @client_ip,
  @status, @outcome, @code, @layer, @upstream, @upstream_status, @upstream_ms, @total_ms, @config_revision, @error, @decision, @request_headers)`;

/** Opens (creating when needed) the call log file for writing: WAL, schema in place. */
export function openForWriting(file: string): Database.Database {
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // WAL + NORMAL: a commit is durable against a process crash; a power cut may lose the last batch.
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    db.close();
    throw new Error(`${file}: call log schema version ${version} is newer than this Pinpoint understands (${SCHEMA_VERSION})`);
  }
  db.exec(SCHEMA);
  db.pragma(`user_version = ${SCHEMA_VERSION}`);
  return db;
}
