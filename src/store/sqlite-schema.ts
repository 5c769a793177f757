import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

/**
 * The credential store's SQLite layout.
 *
 * `seq` orders changes: every write to a key row takes the next number, inside the write
 * transaction (which SQLite serialises across processes). A process that sees the file
 * change (PRAGMA data_version) reloads only the rows with a seq above the last one it saw.
 * Last-used times do not take a seq: they are not part of what the request path reads.
 * Keys are never deleted (a revoked key must stay known to say it was revoked).
 * Passwords (schema 2) follow the same scheme with their own seq; a removed password keeps
 * its row with a NULL hash, so other processes see the removal as a change.
 * Every statement is IF NOT EXISTS: running the script on an older file migrates it.
 */
export const STORE_SCHEMA_VERSION = 2;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS api_keys (
  id             TEXT    PRIMARY KEY,
  consumer       TEXT    NOT NULL,
  hash           BLOB    NOT NULL,
  scopes         TEXT    NOT NULL,
  status         TEXT    NOT NULL CHECK (status IN ('active', 'revoked')),
  revoked_at     INTEGER,
  revoked_reason TEXT,
  expires_at     INTEGER,
  created_at     INTEGER NOT NULL,
  created_by     TEXT    NOT NULL,
  name           TEXT,
  last_used_at   INTEGER,
  replaced_by    TEXT,
  rotated_from   TEXT,
  seq            INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS api_keys_consumer ON api_keys (consumer);
CREATE UNIQUE INDEX IF NOT EXISTS api_keys_seq ON api_keys (seq);
CREATE TABLE IF NOT EXISTS audit_log (
  id       INTEGER PRIMARY KEY AUTOINCREMENT,
  at       INTEGER NOT NULL,
  actor    TEXT    NOT NULL,
  action   TEXT    NOT NULL,
  key_id   TEXT    NOT NULL,
  consumer TEXT    NOT NULL,
  details  TEXT    NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_log_at ON audit_log (at);
CREATE INDEX IF NOT EXISTS audit_log_key ON audit_log (key_id);
CREATE TABLE IF NOT EXISTS passwords (
  consumer   TEXT    PRIMARY KEY,
  hash       TEXT,
  updated_at INTEGER NOT NULL,
  updated_by TEXT    NOT NULL,
  seq        INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS passwords_seq ON passwords (seq);
`;

export interface PasswordRow {
  consumer: string;
  hash: string | null;
  updated_at: number;
  updated_by: string;
  seq: number;
}

export interface KeyRow {
  id: string;
  consumer: string;
  hash: Buffer;
  scopes: string;
  status: 'active' | 'revoked';
  revoked_at: number | null;
  revoked_reason: string | null;
  expires_at: number | null;
  created_at: number;
  created_by: string;
  name: string | null;
  last_used_at: number | null;
  replaced_by: string | null;
  rotated_from: string | null;
  seq: number;
}

export interface AuditRow {
  id: number;
  at: number;
  actor: string;
  action: 'create' | 'revoke' | 'rotate' | 'set_password' | 'remove_password';
  key_id: string;
  consumer: string;
  details: string;
}

/** Opens (creating when needed) the store file: WAL, schema in place. */
export function openStoreDb(file: string): Database.Database {
  mkdirSync(dirname(file), { recursive: true });
  // The gateway and the CLI open the same file: wait for each other's write lock.
  const db = new Database(file, { timeout: 5000 });
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > STORE_SCHEMA_VERSION) {
      throw new Error(`${file}: credential store schema version ${version} is newer than this Pinpoint understands (${STORE_SCHEMA_VERSION})`);
    }
    if (version < STORE_SCHEMA_VERSION) {
      db.transaction(() => {
        db.exec(SCHEMA);
        db.pragma(`user_version = ${STORE_SCHEMA_VERSION}`);
      }).immediate();
    }
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}
