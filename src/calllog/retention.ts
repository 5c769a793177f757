import type Database from 'better-sqlite3';

const DAY_MS = 86_400_000;

/**
 * Retention of the call log: rows older than `retentionDays` go, then the oldest rows
 * beyond `maxRows`. Runs in the writer worker when the log opens and then periodically
 * (every 60 s by default), never on the request path. Returns the number of rows deleted.
 */
export function applyRetention(db: Database.Database, retentionDays: number, maxRows: number, now = Date.now()): number {
  const byAge = db.prepare('DELETE FROM calls WHERE at < ?').run(Math.floor(now - retentionDays * DAY_MS)).changes;
  // The row at offset maxRows (newest first) is the newest one that is too many.
  const cut = db.prepare('SELECT row_id FROM calls ORDER BY row_id DESC LIMIT 1 OFFSET ?').pluck().get(maxRows) as number | undefined;
  const byCount = cut === undefined ? 0 : db.prepare('DELETE FROM calls WHERE row_id <= ?').run(cut).changes;
  return byAge + byCount;
}
