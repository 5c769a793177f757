import pg from 'pg';
import { ownerKeyProblem, type OwnerAuditAction, type OwnerAuditEntry, type OwnerFilter, type OwnerRecord, type OwnerStore, type RecordInput, type RecordOutcome, type SetOwnerInput } from './owners.ts';
import { StorePool, type PostgresConnectionOptions } from './postgres-pool.ts';
import { ensureSchema } from './postgres-schema.ts';
import { StoreError } from './types.ts';

export interface PostgresOwnerStoreOptions extends PostgresConnectionOptions {
  /** Where a lost connection is reported (default: stderr). */
  report?(message: string): void;
}

/**
 * Ownership records in PostgreSQL, beside the credentials (the same schema, its own tables from
 * schema version 2): every node reads and writes the same records. Nothing is cached here; the
 * gateway's cache (src/layers/authz/owner-records.ts) keeps its TTL, so another node's change
 * reaches a node's cached reads within that TTL.
 */
export async function openPostgresOwnerStore(opts: PostgresOwnerStoreOptions): Promise<OwnerStore> {
  const store = new PostgresOwnerStore(opts);
  try {
    await store.db.withClient((c) => ensureSchema(c, store.db.schema));
  } catch (err) {
    await store.close().catch(() => {});
    throw store.db.openRefusal(err);
  }
  return store;
}

interface OwnerRow {
  resource: string;
  id: string;
  consumer: string;
  tenant: string | null;
  created_at: string;
  updated_at: string;
  by: string;
  request_id: string | null;
  route: string | null;
}

interface AuditRow {
  id: string;
  at: string;
  actor: string;
  action: OwnerAuditAction;
  resource: string;
  resource_id: string;
  consumer: string;
  details: Record<string, unknown>;
}

function queries(schema: string) {
  const owners = `${pg.escapeIdentifier(schema)}.resource_owners`;
  const audit = `${pg.escapeIdentifier(schema)}.resource_owner_audit`;
  return {
    get: `SELECT * FROM ${owners} WHERE resource = $1 AND id = $2`,
    insertIfAbsent: `INSERT INTO ${owners} (resource, id, consumer, tenant, created_at, updated_at, by, request_id, route)
                     VALUES ($1, $2, $3, $4, $5, $5, 'gateway', $6, $7) ON CONFLICT DO NOTHING RETURNING *`,
    upsert: `INSERT INTO ${owners} (resource, id, consumer, tenant, created_at, updated_at, by) VALUES ($1, $2, $3, $4, $5, $5, $6)
             ON CONFLICT (resource, id) DO UPDATE SET consumer = EXCLUDED.consumer, tenant = EXCLUDED.tenant, updated_at = EXCLUDED.updated_at,
             by = EXCLUDED.by, request_id = NULL, route = NULL RETURNING *`,
    delete: `DELETE FROM ${owners} WHERE resource = $1 AND id = $2 RETURNING *`,
    // Byte order, as SQLite sorts: the listing does not depend on the database's collation.
    list: `SELECT * FROM ${owners} WHERE ($1::text IS NULL OR resource = $1) AND ($2::text IS NULL OR consumer = $2) AND ($3::text IS NULL OR tenant = $3)
           ORDER BY resource COLLATE "C", id COLLATE "C" LIMIT $4`,
    audit: `INSERT INTO ${audit} (at, actor, action, resource, resource_id, consumer, details) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)`,
    auditSince: `SELECT * FROM ${audit} WHERE at >= $1 AND ($2::text IS NULL OR resource = $2) ORDER BY id DESC LIMIT $3`,
    // Two operators changing one record at once: the second sees the first's as "previous".
    lockRecord: 'SELECT pg_advisory_xact_lock(hashtext($1))',
  };
}

class PostgresOwnerStore implements OwnerStore {
  readonly db: StorePool;
  private readonly q: ReturnType<typeof queries>;
  private closed = false;
  /** False from a failure to reach the database until the next success: the log says each change once. */
  private reachable = true;
  private readonly report: (m: string) => void;

  constructor(opts: PostgresOwnerStoreOptions) {
    this.report = opts.report ?? ((m) => process.stderr.write(m + '\n'));
    this.db = new StorePool(opts, {
      name: 'ownership store',
      meanwhile: 'Nothing was changed; routes that check owners answer 503 until the database is back.',
      unreachable: (err) => {
        if (this.closed || !this.reachable) return;
        this.reachable = false;
        this.report(`ownership store ${this.db.target} cannot be reached (${err.message}); reconnecting`);
      },
    });
    this.q = queries(this.db.schema);
  }

  async getOwner(resource: string, id: string): Promise<OwnerRecord | undefined> {
    return await this.call(async () => {
      const { rows } = await this.db.pool.query<OwnerRow>(this.q.get, [resource, id]);
      return rows[0] && fromRow(rows[0]);
    });
  }

  async recordOwner(input: RecordInput): Promise<{ outcome: RecordOutcome; record: OwnerRecord }> {
    checkKey(input.resource, input.id);
    return await this.call(async () => {
      // Insert when absent, else read what is there. A read that finds nothing (deleted in
      // between) tries again: each statement sees what committed before it started.
      for (let attempt = 0; ; attempt++) {
        const at = Date.now();
        const inserted = await this.db.pool.query<OwnerRow>(this.q.insertIfAbsent, [input.resource, input.id, input.consumer, input.tenant ?? null, at, input.requestId, input.route]);
        if (inserted.rows[0]) return { outcome: 'created', record: fromRow(inserted.rows[0]) };
        const { rows } = await this.db.pool.query<OwnerRow>(this.q.get, [input.resource, input.id]);
        if (rows[0]) {
          const record = fromRow(rows[0]);
          return { outcome: record.consumer === input.consumer && record.tenant === input.tenant ? 'unchanged' : 'conflict', record };
        }
        if (attempt >= 3) throw new Error(`the ownership record of ${input.resource} ${JSON.stringify(input.id)} kept changing under the write`);
      }
    });
  }

  async setOwner(input: SetOwnerInput): Promise<{ record: OwnerRecord; previous?: OwnerRecord }> {
    checkKey(input.resource, input.id);
    return await this.call(() =>
      this.db.transaction(async (c) => {
        await c.query(this.q.lockRecord, [`owner ${input.resource} ${input.id}`]);
        const before = (await c.query<OwnerRow>(this.q.get, [input.resource, input.id])).rows[0];
        const at = Date.now();
        const { rows } = await c.query<OwnerRow>(this.q.upsert, [input.resource, input.id, input.consumer, input.tenant ?? null, at, input.actor]);
        const details: Record<string, unknown> = {};
        if (input.tenant !== undefined) details.tenant = input.tenant;
        if (before) details.previous = { consumer: before.consumer, tenant: before.tenant ?? undefined };
        await c.query(this.q.audit, [at, input.actor, 'set_owner', input.resource, input.id, input.consumer, JSON.stringify(details)]);
        const record = fromRow(rows[0]);
        return before ? { record, previous: fromRow(before) } : { record };
      }),
    );
  }

  async deleteOwner(resource: string, id: string, actor: string): Promise<OwnerRecord> {
    return await this.call(() =>
      this.db.transaction(async (c) => {
        await c.query(this.q.lockRecord, [`owner ${resource} ${id}`]);
        const { rows } = await c.query<OwnerRow>(this.q.delete, [resource, id]);
        if (!rows[0]) throw new StoreError('not_found', `no ownership record for ${resource} ${JSON.stringify(id)}`);
        const before = rows[0];
        await c.query(this.q.audit, [Date.now(), actor, 'delete_owner', resource, id, before.consumer, JSON.stringify(before.tenant !== null ? { tenant: before.tenant } : {})]);
        return fromRow(before);
      }),
    );
  }

  async listOwners(filter: OwnerFilter = {}): Promise<OwnerRecord[]> {
    const limit = Math.max(1, Math.min(filter.limit ?? 100, 10_000));
    return await this.call(async () => {
      const { rows } = await this.db.pool.query<OwnerRow>(this.q.list, [filter.resource ?? null, filter.consumer ?? null, filter.tenant ?? null, limit]);
      return rows.map(fromRow);
    });
  }

  async listOwnerAudit(filter: { since?: number; limit?: number; resource?: string } = {}): Promise<OwnerAuditEntry[]> {
    const limit = Math.max(1, Math.min(filter.limit ?? 100, 10_000));
    return await this.call(async () => {
      const { rows } = await this.db.pool.query<AuditRow>(this.q.auditSince, [filter.since ?? 0, filter.resource ?? null, limit]);
      return rows.map((r) => ({
        id: Number(r.id),
        at: Number(r.at),
        actor: r.actor,
        action: r.action,
        resource: r.resource,
        resourceId: r.resource_id,
        consumer: r.consumer,
        details: r.details,
      }));
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.db.end();
  }

  /** A call on the database: refused once closed; "unavailable" (503) when it cannot be reached. */
  private async call<T>(work: () => Promise<T>): Promise<T> {
    if (this.closed) throw new Error(`ownership store ${this.db.target} is closed`);
    const out = await this.db.guard(work);
    if (!this.reachable) {
      this.reachable = true;
      this.report(`ownership store ${this.db.target} is reachable again`);
    }
    return out;
  }
}

function checkKey(resource: string, id: string): void {
  const problem = ownerKeyProblem(resource, id);
  if (problem) throw new RangeError(problem);
}

function fromRow(r: OwnerRow): OwnerRecord {
  const o: OwnerRecord = { resource: r.resource, id: r.id, consumer: r.consumer, createdAt: Number(r.created_at), updatedAt: Number(r.updated_at), by: r.by };
  if (r.tenant !== null) o.tenant = r.tenant;
  if (r.request_id !== null) o.requestId = r.request_id;
  if (r.route !== null) o.route = r.route;
  return o;
}
