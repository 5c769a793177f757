import pg from 'pg';
import type { AuditEntry, StoredKey } from './types.ts';

/**
 * The credential store's PostgreSQL layout, in a schema of its own (store.schema).
 *
 * `meta` is one row: the schema version and `change_seq`. Every write transaction starts by
 * taking the next `change_seq` (UPDATE ... RETURNING), which locks that row until commit: writers
 * of every node are serialised, so a change's seq is visible only after every smaller seq is.
 * A node that reads "rows with a seq above the last one I saw" therefore never skips one.
 * The rows a transaction writes all carry its seq. Last-used times take none (the request path
 * does not read them). Keys are never deleted; a removed password keeps its row with a NULL hash,
 * so that other nodes see the removal as a change.
 *
 * Migrations are numbered: MIGRATIONS[i] brings version i to i + 1, applied in one transaction
 * under an advisory lock, so nodes starting together do not race. The ownership records
 * (src/store/postgres-owners.ts) live in the same schema, from version 2.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE api_keys (
    id             text     PRIMARY KEY,
    consumer       text     NOT NULL,
    hash           bytea    NOT NULL,
    scopes         text[]   NOT NULL,
    status         text     NOT NULL CHECK (status IN ('active', 'revoked')),
    revoked_at     bigint,
    revoked_reason text,
    expires_at     bigint,
    created_at     bigint   NOT NULL,
    created_by     text     NOT NULL,
    name           text,
    last_used_at   bigint,
    replaced_by    text,
    rotated_from   text,
    seq            bigint   NOT NULL
  );
  CREATE INDEX api_keys_consumer ON api_keys (consumer);
  CREATE INDEX api_keys_seq ON api_keys (seq);
  CREATE TABLE passwords (
    consumer   text   PRIMARY KEY,
    hash       text,
    updated_at bigint NOT NULL,
    updated_by text   NOT NULL,
    seq        bigint NOT NULL
  );
  CREATE INDEX passwords_seq ON passwords (seq);
  CREATE TABLE audit_log (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at       bigint NOT NULL,
    actor    text   NOT NULL,
    action   text   NOT NULL,
    key_id   text   NOT NULL,
    consumer text   NOT NULL,
    details  jsonb  NOT NULL
  );
  CREATE INDEX audit_log_at ON audit_log (at);
  CREATE INDEX audit_log_key ON audit_log (key_id);
  `,
  // 2: ownership records (src/store/postgres-owners.ts); they take no change seq (nothing caches them in memory).
  `
  CREATE TABLE resource_owners (
    resource   text   NOT NULL,
    id         text   NOT NULL,
    consumer   text   NOT NULL,
    tenant     text,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    by         text   NOT NULL,
    request_id text,
    route      text,
    PRIMARY KEY (resource, id)
  );
  CREATE INDEX resource_owners_consumer ON resource_owners (consumer);
  CREATE INDEX resource_owners_tenant ON resource_owners (tenant);
  CREATE TABLE resource_owner_audit (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          bigint NOT NULL,
    actor       text   NOT NULL,
    action      text   NOT NULL,
    resource    text   NOT NULL,
    resource_id text   NOT NULL,
    consumer    text   NOT NULL,
    details     jsonb  NOT NULL
  );
  CREATE INDEX resource_owner_audit_at ON resource_owner_audit (at);
  `,
];

export const PG_STORE_SCHEMA_VERSION = MIGRATIONS.length;

/** The channel NOTIFY uses for a schema's changes (its payload is the change's seq). */
export function changeChannel(schema: string): string {
  return `${schema}_credentials`;
}

/**
 * Creates the schema and its tables, or migrates an older version; refuses a newer one.
 * Runs on one connection `client`: the advisory lock belongs to its transaction.
 */
export async function ensureSchema(client: pg.ClientBase, schema: string): Promise<void> {
  const s = pg.escapeIdentifier(schema);
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`pinpoint credential store ${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${s}.meta (
         singleton      boolean PRIMARY KEY DEFAULT true CHECK (singleton),
         schema_version integer NOT NULL,
         change_seq     bigint  NOT NULL
       )`,
    );
    await client.query(`INSERT INTO ${s}.meta (schema_version, change_seq) VALUES (0, 0) ON CONFLICT DO NOTHING`);
    const { rows } = await client.query<{ schema_version: number }>(`SELECT schema_version FROM ${s}.meta`);
    const version = rows[0].schema_version;
    if (version > PG_STORE_SCHEMA_VERSION) {
      throw new Error(`schema ${schema}: credential store schema version ${version} is newer than this Pinpoint understands (${PG_STORE_SCHEMA_VERSION})`);
    }
    for (let v = version; v < PG_STORE_SCHEMA_VERSION; v++) {
      await client.query(`SET LOCAL search_path TO ${s}`);
      await client.query(MIGRATIONS[v]);
    }
    if (version < PG_STORE_SCHEMA_VERSION) await client.query(`UPDATE ${s}.meta SET schema_version = $1`, [PG_STORE_SCHEMA_VERSION]);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}

/** The store's statements, on the tables of `schema`. */
export function storeQueries(schema: string) {
  const t = (name: string) => `${pg.escapeIdentifier(schema)}.${name}`;
  return {
    nextSeq: `UPDATE ${t('meta')} SET change_seq = change_seq + 1 RETURNING change_seq`,
    keysSince: `SELECT * FROM ${t('api_keys')} WHERE seq > $1 ORDER BY seq`,
    passwordsSince: `SELECT consumer, hash, updated_at, seq FROM ${t('passwords')} WHERE seq > $1 ORDER BY seq`,
    allKeys: `SELECT * FROM ${t('api_keys')}`,
    allPasswords: `SELECT consumer, hash, updated_at, seq FROM ${t('passwords')}`,
    byId: `SELECT * FROM ${t('api_keys')} WHERE id = $1`,
    byIdForUpdate: `SELECT * FROM ${t('api_keys')} WHERE id = $1 FOR UPDATE`,
    list: `SELECT * FROM ${t('api_keys')} ORDER BY created_at, seq, id`,
    listOfConsumer: `SELECT * FROM ${t('api_keys')} WHERE consumer = $1 ORDER BY created_at, seq, id`,
    insertKey: `INSERT INTO ${t('api_keys')} (id, consumer, hash, scopes, status, expires_at, created_at, created_by, name, rotated_from, seq)
                VALUES ($1, $2, $3, $4, 'active', $5, $6, $7, $8, $9, $10) ON CONFLICT (id) DO NOTHING RETURNING *`,
    revoke: `UPDATE ${t('api_keys')} SET status = 'revoked', revoked_at = $2, revoked_reason = $3, seq = $4 WHERE id = $1 RETURNING *`,
    replace: `UPDATE ${t('api_keys')} SET expires_at = $2, replaced_by = $3, seq = $4 WHERE id = $1 RETURNING *`,
    passwordOf: `SELECT hash FROM ${t('passwords')} WHERE consumer = $1 FOR UPDATE`,
    upsertPassword: `INSERT INTO ${t('passwords')} (consumer, hash, updated_at, updated_by, seq) VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (consumer) DO UPDATE SET hash = EXCLUDED.hash, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by, seq = EXCLUDED.seq`,
    audit: `INSERT INTO ${t('audit_log')} (at, actor, action, key_id, consumer, details) VALUES ($1, $2, $3, $4, $5, $6::jsonb)`,
    auditSince: `SELECT * FROM ${t('audit_log')} WHERE at >= $1 ORDER BY id DESC LIMIT $2`,
    auditOfKey: `SELECT * FROM ${t('audit_log')} WHERE at >= $1 AND key_id = $3 ORDER BY id DESC LIMIT $2`,
    // Rows locked in id order: two nodes writing the same keys' times never deadlock.
    lockForTouch: `SELECT 1 FROM ${t('api_keys')} WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE`,
    touch: `UPDATE ${t('api_keys')} AS k SET last_used_at = GREATEST(coalesce(k.last_used_at, 0), v.at)
            FROM unnest($1::text[], $2::bigint[]) AS v(id, at) WHERE k.id = v.id`,
  };
}

export interface PgKeyRow {
  id: string;
  consumer: string;
  hash: Buffer;
  scopes: string[];
  status: 'active' | 'revoked';
  revoked_at: string | null;
  revoked_reason: string | null;
  expires_at: string | null;
  created_at: string;
  created_by: string;
  name: string | null;
  last_used_at: string | null;
  replaced_by: string | null;
  rotated_from: string | null;
  /** bigint columns arrive as text (pg does not guess at their range). */
  seq: string;
}

export interface PgPasswordRow {
  consumer: string;
  hash: string | null;
  updated_at: string;
  seq: string;
}

export interface PgAuditRow {
  id: string;
  at: string;
  actor: string;
  action: AuditEntry['action'];
  key_id: string;
  consumer: string;
  details: Record<string, unknown>;
}

const ms = (v: string | null): number | undefined => (v === null ? undefined : Number(v));

/** A key row as the record the authn layer and management read (absent values left out). */
export function keyFromPgRow(r: PgKeyRow): StoredKey {
  const k: StoredKey = {
    id: r.id,
    consumer: r.consumer,
    hash: r.hash,
    scopes: Object.freeze([...r.scopes]),
    status: r.status,
    createdAt: Number(r.created_at),
    createdBy: r.created_by,
  };
  if (r.revoked_at !== null) k.revokedAt = ms(r.revoked_at);
  if (r.revoked_reason !== null) k.revokedReason = r.revoked_reason;
  if (r.expires_at !== null) k.expiresAt = ms(r.expires_at);
  if (r.name !== null) k.name = r.name;
  if (r.last_used_at !== null) k.lastUsedAt = ms(r.last_used_at);
  if (r.replaced_by !== null) k.replacedBy = r.replaced_by;
  if (r.rotated_from !== null) k.rotatedFrom = r.rotated_from;
  return k;
}

export function auditFromPgRow(r: PgAuditRow): AuditEntry {
  return { id: Number(r.id), at: Number(r.at), actor: r.actor, action: r.action, keyId: r.key_id, consumer: r.consumer, details: r.details };
}
