import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { ownerKeyProblem, type OwnerAuditAction, type OwnerAuditEntry, type OwnerFilter, type OwnerRecord, type OwnerStore, type RecordInput, type RecordOutcome, type SetOwnerInput } from './owners.ts';
import { StoreError } from './types.ts';

/**
 * Ownership records in the credential store's SQLite file, in tables of their own (the
 * credential store's schema and version are not touched: each opens its own connection).
 *
 * The gateway writes a record right after relaying a create's answer, on its event loop: a
 * write never waits there for another process's lock (busy timeout 0). When the file is
 * locked (the CLI writing), the write is tried again a little later, off the request path,
 * for up to `busyRetryMs`; reads never wait (WAL).
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS resource_owners (
  resource   TEXT    NOT NULL,
  id         TEXT    NOT NULL,
  consumer   TEXT    NOT NULL,
  tenant     TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  by         TEXT    NOT NULL,
  request_id TEXT,
  route      TEXT,
  PRIMARY KEY (resource, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS resource_owners_consumer ON resource_owners (consumer);
CREATE INDEX IF NOT EXISTS resource_owners_tenant ON resource_owners (tenant);
CREATE TABLE IF NOT EXISTS resource_owner_audit (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  at          INTEGER NOT NULL,
  actor       TEXT    NOT NULL,
  action      TEXT    NOT NULL,
  resource    TEXT    NOT NULL,
  resource_id TEXT    NOT NULL,
  consumer    TEXT    NOT NULL,
  details     TEXT    NOT NULL
);
CREATE INDEX IF NOT EXISTS resource_owner_audit_at ON resource_owner_audit (at);
`;

interface OwnerRow {
  resource: string;
  id: string;
  consumer: string;
  tenant: string | null;
  created_at: number;
  updated_at: number;
  by: string;
  request_id: string | null;
  route: string | null;
}

interface AuditRow {
  id: number;
  at: number;
  actor: string;
  action: OwnerAuditAction;
  resource: string;
  resource_id: string;
  consumer: string;
  details: string;
}

export interface SqliteOwnerStoreOptions {
  /** How long a write keeps trying while another process holds the file's write lock. Default 5000. */
  busyRetryMs?: number;
}

export function openOwnerStore(file: string, opts: SqliteOwnerStoreOptions = {}): OwnerStore {
  return new SqliteOwnerStore(file, opts.busyRetryMs ?? 5000);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class SqliteOwnerStore implements OwnerStore {
  private readonly db: Database.Database;
  private readonly q;
  private closed = false;

  constructor(
    readonly file: string,
    private readonly busyRetryMs: number,
  ) {
    mkdirSync(dirname(file), { recursive: true });
    // Creating the tables may wait for another process once; after that nothing waits on a lock.
    const db = new Database(file, { timeout: 5000 });
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.exec(SCHEMA);
      db.pragma('busy_timeout = 0');
    } catch (err) {
      db.close();
      throw err;
    }
    this.db = db;
    this.q = {
      get: db.prepare<[string, string], OwnerRow>('SELECT * FROM resource_owners WHERE resource = ? AND id = ?'),
      insertIfAbsent: db.prepare(
        `INSERT INTO resource_owners (resource, id, consumer, tenant, created_at, updated_at, by, request_id, route)
         VALUES (@resource, @id, @consumer, @tenant, @at, @at, 'gateway', @requestId, @route) ON CONFLICT DO NOTHING`,
      ),
      upsert: db.prepare(
        `INSERT INTO resource_owners (resource, id, consumer, tenant, created_at, updated_at, by) VALUES (@resource, @id, @consumer, @tenant, @at, @at, @actor)
         ON CONFLICT (resource, id) DO UPDATE SET consumer = @consumer, tenant = @tenant, updated_at = @at, by = @actor, request_id = NULL, route = NULL`,
      ),
      delete: db.prepare('DELETE FROM resource_owners WHERE resource = ? AND id = ?'),
      list: db.prepare<[{ resource: string | null; consumer: string | null; tenant: string | null; limit: number }], OwnerRow>(
        `SELECT * FROM resource_owners WHERE (@resource IS NULL OR resource = @resource) AND (@consumer IS NULL OR consumer = @consumer)
         AND (@tenant IS NULL OR tenant = @tenant) ORDER BY resource, id LIMIT @limit`,
      ),
      audit: db.prepare('INSERT INTO resource_owner_audit (at, actor, action, resource, resource_id, consumer, details) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      auditSince: db.prepare<[{ since: number; resource: string | null; limit: number }], AuditRow>(
        'SELECT * FROM resource_owner_audit WHERE at >= @since AND (@resource IS NULL OR resource = @resource) ORDER BY id DESC LIMIT @limit',
      ),
    };
  }

  async getOwner(resource: string, id: string): Promise<OwnerRecord | undefined> {
    this.open();
    const row = this.q.get.get(resource, id);
    return row && fromRow(row);
  }

  recordOwner(input: RecordInput): Promise<{ outcome: RecordOutcome; record: OwnerRecord }> {
    return this.write(() => {
      checkKey(input.resource, input.id);
      const inserted = this.q.insertIfAbsent.run({ ...input, tenant: input.tenant ?? null, at: Date.now() }).changes === 1;
      const record = fromRow(this.q.get.get(input.resource, input.id)!);
      const outcome: RecordOutcome = inserted ? 'created' : record.consumer === input.consumer && record.tenant === input.tenant ? 'unchanged' : 'conflict';
      return { outcome, record };
    });
  }

  setOwner(input: SetOwnerInput): Promise<{ record: OwnerRecord; previous?: OwnerRecord }> {
    return this.write(() => {
      checkKey(input.resource, input.id);
      const before = this.q.get.get(input.resource, input.id);
      const at = Date.now();
      this.q.upsert.run({ resource: input.resource, id: input.id, consumer: input.consumer, tenant: input.tenant ?? null, at, actor: input.actor });
      const details: Record<string, unknown> = {};
      if (input.tenant !== undefined) details.tenant = input.tenant;
      if (before) details.previous = { consumer: before.consumer, tenant: before.tenant ?? undefined };
      this.q.audit.run(at, input.actor, 'set_owner', input.resource, input.id, input.consumer, JSON.stringify(details));
      const record = fromRow(this.q.get.get(input.resource, input.id)!);
      return before ? { record, previous: fromRow(before) } : { record };
    });
  }

  deleteOwner(resource: string, id: string, actor: string): Promise<OwnerRecord> {
    return this.write(() => {
      const before = this.q.get.get(resource, id);
      if (!before) throw new StoreError('not_found', `no ownership record for ${resource} ${JSON.stringify(id)}`);
      this.q.delete.run(resource, id);
      this.q.audit.run(Date.now(), actor, 'delete_owner', resource, id, before.consumer, JSON.stringify(before.tenant !== null ? { tenant: before.tenant } : {}));
      return fromRow(before);
    });
  }

  async listOwners(filter: OwnerFilter = {}): Promise<OwnerRecord[]> {
    this.open();
    const limit = Math.max(1, Math.min(filter.limit ?? 100, 10_000));
    return this.q.list.all({ resource: filter.resource ?? null, consumer: filter.consumer ?? null, tenant: filter.tenant ?? null, limit }).map(fromRow);
  }

  async listOwnerAudit(filter: { since?: number; limit?: number; resource?: string } = {}): Promise<OwnerAuditEntry[]> {
    this.open();
    const limit = Math.max(1, Math.min(filter.limit ?? 100, 10_000));
    return this.q.auditSince.all({ since: filter.since ?? 0, resource: filter.resource ?? null, limit }).map((r) => ({
      id: r.id,
      at: r.at,
      actor: r.actor,
      action: r.action,
      resource: r.resource,
      resourceId: r.resource_id,
      consumer: r.consumer,
      details: JSON.parse(r.details) as Record<string, unknown>,
    }));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  /**
   * A write transaction, started at once (the caller's tick: a record is in place before the
   * next request is read); when another process holds the lock, tried again later, backing off.
   */
  private async write<T>(work: () => T): Promise<T> {
    const deadline = Date.now() + this.busyRetryMs;
    for (let delay = 5; ; delay = Math.min(delay * 2, 200)) {
      this.open();
      try {
        return this.db.transaction(work).immediate();
      } catch (err) {
        if ((err as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() >= deadline) throw err;
      }
      await sleep(delay);
    }
  }

  private open(): void {
    if (this.closed) throw new Error(`ownership store ${this.file} is closed`);
  }
}

function checkKey(resource: string, id: string): void {
  const problem = ownerKeyProblem(resource, id);
  if (problem) throw new RangeError(problem);
}

function fromRow(r: OwnerRow): OwnerRecord {
  const o: OwnerRecord = { resource: r.resource, id: r.id, consumer: r.consumer, createdAt: r.created_at, updatedAt: r.updated_at, by: r.by };
  if (r.tenant !== null) o.tenant = r.tenant;
  if (r.request_id !== null) o.requestId = r.request_id;
  if (r.route !== null) o.route = r.route;
  return o;
}
