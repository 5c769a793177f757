import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { openForWriting, SCHEMA_VERSION } from './schema.ts';

const dir = mkdtempSync(join(tmpdir(), 'pinpoint-schema-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const V1 = `
CREATE TABLE calls (row_id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, request_id TEXT NOT NULL UNIQUE,
  correlation_id TEXT, consumer TEXT, tenant TEXT, route TEXT, method TEXT NOT NULL, path TEXT NOT NULL,
  query TEXT NOT NULL DEFAULT '', host TEXT NOT NULL DEFAULT '', client_ip TEXT NOT NULL DEFAULT '', status INTEGER NOT NULL,
  outcome TEXT NOT NULL, code TEXT, layer TEXT, upstream TEXT, upstream_status INTEGER, upstream_ms REAL, total_ms REAL NOT NULL,
  config_revision TEXT NOT NULL, error TEXT, decision TEXT NOT NULL, request_headers TEXT NOT NULL);
CREATE INDEX calls_at ON calls (at);
CREATE INDEX calls_code ON calls (code);
CREATE INDEX calls_status ON calls (status);
CREATE INDEX calls_correlation_id ON calls (correlation_id);
INSERT INTO calls (at, request_id, method, path, status, outcome, code, total_ms, config_revision, decision, request_headers)
  VALUES (1, 'req_old', 'GET', '/x', 404, 'deny', 'route.not_found', 1, 'rev', '{}', '{}');
PRAGMA user_version = 1;
`;

function indexes(db: Database.Database): Record<string, string> {
  const rows = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL").all() as { name: string; sql: string }[];
  return Object.fromEntries(rows.map((r) => [r.name, r.sql]));
}

test('a version 1 file keeps its rows and gets the partial indexes', () => {
  const file = join(dir, 'v1.db');
  const old = new Database(file);
  old.exec(V1);
  old.close();

  const db = openForWriting(file);
  assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
  const idx = indexes(db);
  assert.deepEqual(Object.keys(idx).sort(), ['calls_ai_at', 'calls_at', 'calls_code', 'calls_correlation_id', 'calls_failed']);
  assert.match(idx.calls_code!, /WHERE code IS NOT NULL/);
  assert.match(idx.calls_correlation_id!, /WHERE correlation_id IS NOT NULL/);
  assert.match(idx.calls_failed!, /WHERE status >= 400/);
  assert.equal(db.prepare('SELECT request_id FROM calls WHERE status = 404 AND status >= 400').pluck().get(), 'req_old');
  db.close();
  // Opening again changes nothing.
  const again = openForWriting(file);
  assert.deepEqual(indexes(again), idx);
  again.close();
});

test('a version 2 file keeps its rows and gains the AI column', () => {
  const file = join(dir, 'v2.db');
  const old = new Database(file);
  old.exec(V1.replace('PRAGMA user_version = 1;', 'PRAGMA user_version = 2;'));
  old.close();
  const db = openForWriting(file);
  assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
  const columns = (db.prepare('PRAGMA table_info(calls)').all() as { name: string }[]).map((c) => c.name);
  assert.ok(columns.includes('ai'), columns.join(', '));
  assert.equal(db.prepare("SELECT ai FROM calls WHERE request_id = 'req_old'").pluck().get(), null);
  db.close();
  // Opening again does not add it twice (ALTER would throw).
  openForWriting(file).close();
});

test('the queries the reader runs use the partial indexes', () => {
  const db = openForWriting(join(dir, 'plans.db'));
  const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all('x') as { detail: string }[]).map((r) => r.detail).join(' ');
  assert.match(plan('SELECT * FROM calls WHERE status = ? AND status >= 400 ORDER BY row_id DESC LIMIT 100'), /calls_failed/);
  assert.match(plan('SELECT * FROM calls WHERE code = ? ORDER BY row_id DESC LIMIT 100'), /calls_code/);
  assert.match(plan('SELECT * FROM calls WHERE correlation_id = ? ORDER BY row_id DESC LIMIT 1'), /calls_correlation_id/);
  db.close();
});

test('the AI queries of reports and alerts read only the AI rows of their period', () => {
  const db = openForWriting(join(dir, 'ai-plans.db'));
  const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(1, 2) as { detail: string }[]).map((r) => r.detail).join(' ');
  assert.match(plan("SELECT json_extract(calls.ai, '$.alias'), COUNT(*) FROM calls WHERE calls.at >= ? AND calls.at < ? AND calls.ai IS NOT NULL GROUP BY 1"), /USING INDEX calls_ai_at/);
  assert.match(plan("SELECT COUNT(*) FROM calls, json_each(calls.ai, '$.hops') AS hop WHERE calls.at >= ? AND calls.at < ? AND calls.ai IS NOT NULL"), /USING INDEX calls_ai_at/);
  db.close();
});

test('a new file uses 8 KiB pages', () => {
  const db = openForWriting(join(dir, 'pages.db'));
  assert.equal(db.pragma('page_size', { simple: true }), 8192);
  db.close();
});

test('a file from a newer Pinpoint is refused', () => {
  const file = join(dir, 'future.db');
  const db = new Database(file);
  db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
  db.close();
  assert.throws(() => openForWriting(file), /newer than this Pinpoint understands/);
});
