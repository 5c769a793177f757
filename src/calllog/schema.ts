import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { CALL_COLUMNS } from './row.ts';

/**
 * The call log's SQLite layout. Columns hold what `pinpoint logs` and the admin API filter
 * on; the decision and the (redacted) request headers are JSON text.
 *
 * `row_id` is AUTOINCREMENT so an id is never reused after retention deletes rows:
 * followers page with "rows after id N" and must never miss or repeat one.
 */
export const SCHEMA_VERSION = 3;

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
  request_headers TEXT    NOT NULL,
  ai              TEXT
);
-- request_id is indexed by its UNIQUE constraint. Request ids are time-ordered, so that
-- index and calls_at grow at their end. The other indexes are partial: they hold only the
-- rows they help find (denials and errors carry a code and a status >= 400; few requests
-- carry a correlation id), so the allowed requests that make most of the log touch no page
-- of theirs. The reader adds the matching "status >= 400" term so SQLite can use calls_failed.
CREATE INDEX IF NOT EXISTS calls_at ON calls (at);
CREATE INDEX IF NOT EXISTS calls_code ON calls (code) WHERE code IS NOT NULL;
CREATE INDEX IF NOT EXISTS calls_failed ON calls (status) WHERE status >= 400;
CREATE INDEX IF NOT EXISTS calls_correlation_id ON calls (correlation_id) WHERE correlation_id IS NOT NULL;
-- AI calls by time, for the report's and alerts' AI queries (src/calllog/ai-aggregate.ts), which
-- say "ai IS NOT NULL": they read the AI rows of a period and none of the others.
CREATE INDEX IF NOT EXISTS calls_ai_at ON calls (at) WHERE ai IS NOT NULL;
`;

/** Version 1 indexed every row by code, status and correlation id; version 2 replaces them. */
const MIGRATE_FROM_1 = `
DROP INDEX IF EXISTS calls_code;
DROP INDEX IF EXISTS calls_status;
DROP INDEX IF EXISTS calls_correlation_id;
`;

/** Version 3 adds the AI call column (model, hops, usage, cost) as JSON text. */
const MIGRATE_FROM_2 = 'ALTER TABLE calls ADD COLUMN ai TEXT';

/** Binds a CallRow (positional, CALL_COLUMNS order); a request id already stored is skipped. */
export const INSERT_CALL = `INSERT OR IGNORE INTO calls (${CALL_COLUMNS.join(', ')}) VALUES (${CALL_COLUMNS.map(() => '?').join(', ')})`;

/** Opens (creating when needed) the call log file for writing: WAL, schema in place. */
export function openForWriting(file: string): Database.Database {
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  // Rows are ~1 KB of JSON: 8 KiB pages mean fewer pages written per batch (about 7% less
  // insert time than 4 KiB). Takes effect only on a new file; an existing one keeps its size.
  db.pragma('page_size = 8192');
  db.pragma('journal_mode = WAL');
  // WAL + NORMAL: a commit is durable against a process crash; a power cut may lose the last batch.
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    db.close();
    throw new Error(`${file}: call log schema version ${version} is newer than this Pinpoint understands (${SCHEMA_VERSION})`);
  }
  db.transaction(() => {
    if (version === 1) db.exec(MIGRATE_FROM_1);
    if (version === 1 || version === 2) db.exec(MIGRATE_FROM_2);
    db.exec(SCHEMA);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
  return db;
}
