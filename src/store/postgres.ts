import { createHash } from 'node:crypto';
import type pg from 'pg';
import { generateKey, keyLabel } from '../layers/authn/api-key/format.ts';
import { hashPassword } from '../layers/authn/basic/password.ts';
import type { PasswordRecord } from '../layers/authn/types.ts';
import { isUnavailable } from './postgres-errors.ts';
import { ChangeListener } from './postgres-listener.ts';
import { clientConfig, StorePool, type PostgresConnectionOptions } from './postgres-pool.ts';
import { auditFromPgRow, changeChannel, ensureSchema, keyFromPgRow, storeQueries, type PgAuditRow, type PgKeyRow, type PgPasswordRow } from './postgres-schema.ts';
import { keyState, StoreError, type AuditAction, type AuditEntry, type CreateKeyInput, type CredentialStore, type IssuedKey, type RotatedKey, type StoredKey } from './types.ts';

export interface PostgresStoreOptions extends PostgresConnectionOptions {
  /**
   * Follow other nodes' changes: LISTEN/NOTIFY, a read of missed changes every `refreshMs`, a full
   * reload every `resyncMs`, last-used writes every `touchFlushMs`. Default true; one-off tools
   * (the CLI) set false and read only at open.
   */
  watch?: boolean;
  /** Default 5000. */
  refreshMs?: number;
  /** Default 10 minutes. */
  resyncMs?: number;
  /** Default 1000. */
  touchFlushMs?: number;
  /** Longest wait between two reconnect attempts of the listener. Default 5000. */
  reconnectMaxMs?: number;
  /** Where background problems are reported (default: stderr). */
  report?(message: string): void;
}

/**
 * Opens the credential store in PostgreSQL: creates or migrates its tables, loads every key and
 * password into memory and (watch) starts listening for other nodes' changes. Refuses
 * (StoreOpenError) when the database cannot be reached: a node never starts without its keys.
 */
export async function openPostgresStore(opts: PostgresStoreOptions): Promise<CredentialStore> {
  const store = new PostgresCredentialStore(opts);
  try {
    await store.start();
  } catch (err) {
    await store.close().catch(() => {});
    throw store.db.openRefusal(err);
  }
  return store;
}

const sha256 = (key: string): Buffer => createHash('sha256').update(key).digest();

class PostgresCredentialStore implements CredentialStore {
  readonly db: StorePool;
  private readonly channel: string;
  private readonly listener: ChangeListener | undefined;
  /** Every key by id, revoked and expired ones too: the request path reads only this. */
  private index = new Map<string, StoredKey>();
  /** Passwords by consumer (hashes only): the request path reads only this. */
  private passwords = new Map<string, PasswordRecord>();
  /** The highest seq read so far, per table (see postgres-schema.ts for why one per table). */
  private keySeq = 0;
  private passwordSeq = 0;
  private pendingTouches = new Map<string, number>();
  private timers: NodeJS.Timeout[] = [];
  private closed = false;
  /** False from a failure to reach the database until the next success: the log says each change once. */
  private reachable = true;
  private readonly report: (m: string) => void;
  private readonly q: ReturnType<typeof storeQueries>;

  constructor(private readonly opts: PostgresStoreOptions) {
    this.report = opts.report ?? ((m) => process.stderr.write(m + '\n'));
    this.db = new StorePool(opts, {
      name: 'credential store',
      meanwhile: 'The gateway keeps serving the keys and passwords it knows; changes wait until the database is back.',
      unreachable: (err) => this.unreachable(err),
    });
    this.channel = changeChannel(this.db.schema);
    if (opts.watch !== false) {
      this.listener = new ChangeListener(
        clientConfig(opts),
        this.channel,
        {
          change: () => this.background(() => this.sync()),
          // Whatever was committed while the connection was down was not notified: reload it all.
          up: () => this.background(() => this.sync(true)),
          down: (err) => this.unreachable(err),
        },
        opts.reconnectMaxMs,
      );
    }
    this.q = storeQueries(this.db.schema);
  }

  async start(): Promise<void> {
    await this.db.withClient((c) => ensureSchema(c, this.db.schema));
    // Listening before the first read: a change committed in between is then read twice, never missed.
    await this.listener?.start();
    await this.sync(true);
    if (this.opts.watch === false) return;
    // Unref'd: an open store never keeps a process alive by its timers.
    this.timers = [
      setInterval(() => this.background(() => this.sync()), this.opts.refreshMs ?? 5000).unref(),
      setInterval(() => this.background(() => this.sync(true)), this.opts.resyncMs ?? 600_000).unref(),
      setInterval(() => this.background(() => this.writeTouches()), this.opts.touchFlushMs ?? 1000).unref(),
    ];
  }

  // --- the request path: memory only -------------------------------------------------

  get(id: string): StoredKey | undefined {
    return this.index.get(id);
  }

  password(consumer: string): PasswordRecord | undefined {
    return this.passwords.get(consumer);
  }

  touch(id: string, at: number): void {
    const prev = this.pendingTouches.get(id);
    if (prev === undefined || at > prev) this.pendingTouches.set(id, at);
  }

  // --- management ----------------------------------------------------------------------

  async createKey(input: CreateKeyInput): Promise<IssuedKey> {
    return this.write((c, seq, now) => this.insertKey(c, input, seq, now));
  }

  async listKeys(filter: { consumer?: string } = {}): Promise<StoredKey[]> {
    return this.read(async () => {
      await this.writeTouches();
      const { rows } = filter.consumer === undefined ? await this.db.pool.query<PgKeyRow>(this.q.list) : await this.db.pool.query<PgKeyRow>(this.q.listOfConsumer, [filter.consumer]);
      return rows.map(keyFromPgRow);
    });
  }

  async getKey(id: string): Promise<StoredKey | undefined> {
    return this.read(async () => {
      await this.writeTouches();
      const { rows } = await this.db.pool.query<PgKeyRow>(this.q.byId, [id]);
      return rows[0] && keyFromPgRow(rows[0]);
    });
  }

  async revokeKey(id: string, reason: string, actor: string): Promise<StoredKey> {
    return this.write(async (c, seq, now) => {
      const old = await this.mustGet(c, id);
      if (old.status === 'revoked') throw new StoreError('conflict', `key ${keyLabel(id)} was already revoked at ${new Date(old.revokedAt!).toISOString()}`);
      const { rows } = await c.query<PgKeyRow>(this.q.revoke, [id, now, reason, seq]);
      await this.audit(c, now, actor, 'revoke', id, old.consumer, { reason });
      return keyFromPgRow(rows[0]);
    });
  }

  async rotateKey(id: string, opts: { overlapMs: number; actor: string }): Promise<RotatedKey> {
    this.open();
    if (!Number.isFinite(opts.overlapMs) || opts.overlapMs < 0) throw new RangeError('overlapMs must be a finite number >= 0');
    return this.write(async (c, seq, now) => {
      const old = await this.mustGet(c, id);
      const state = keyState(old, now);
      if (state !== 'active') throw new StoreError('conflict', `key ${keyLabel(id)} is ${state}: only an active key is rotated; create a new key instead`);
      if (old.replacedBy) throw new StoreError('conflict', `key ${keyLabel(id)} was already rotated; its replacement is ${keyLabel(old.replacedBy)}`);
      const lifetime = old.expiresAt !== undefined ? old.expiresAt - old.createdAt : undefined;
      const issued = await this.insertKey(
        c,
        { consumer: old.consumer, scopes: old.scopes, name: old.name, expiresAt: lifetime !== undefined ? now + lifetime : undefined, actor: opts.actor },
        seq,
        now,
        id,
      );
      const oldExpiresAt = Math.min(old.expiresAt ?? Infinity, now + opts.overlapMs);
      const { rows } = await c.query<PgKeyRow>(this.q.replace, [id, oldExpiresAt, issued.record.id, seq]);
      await this.audit(c, now, opts.actor, 'rotate', id, old.consumer, { replacedBy: issued.record.id, overlapMs: opts.overlapMs, expiresAt: oldExpiresAt });
      return { ...issued, previous: keyFromPgRow(rows[0]) };
    });
  }

  async setPassword(consumer: string, password: string, actor: string): Promise<PasswordRecord> {
    this.open();
    // Hashed before the transaction: scrypt takes tens of milliseconds, the write lock must not.
    const hash = await hashPassword(password);
    await this.write(async (c, seq, now) => {
      const { rows } = await c.query<{ hash: string | null }>(this.q.passwordOf, [consumer]);
      const replaced = rows[0]?.hash != null;
      await c.query(this.q.upsertPassword, [consumer, hash, now, actor, seq]);
      await this.audit(c, now, actor, 'set_password', `password:${consumer}`, consumer, { replaced });
    });
    return this.passwords.get(consumer) ?? { consumer, hash, updatedAt: Date.now() };
  }

  async removePassword(consumer: string, actor: string): Promise<void> {
    await this.write(async (c, seq, now) => {
      const { rows } = await c.query<{ hash: string | null }>(this.q.passwordOf, [consumer]);
      if (rows[0]?.hash == null) throw new StoreError('not_found', `consumer ${JSON.stringify(consumer)} has no password`);
      await c.query(this.q.upsertPassword, [consumer, null, now, actor, seq]);
      await this.audit(c, now, actor, 'remove_password', `password:${consumer}`, consumer, {});
    });
  }

  async listAudit(filter: { since?: number; limit?: number; keyId?: string } = {}): Promise<AuditEntry[]> {
    return this.read(async () => {
      const since = filter.since ?? 0;
      const limit = Math.max(1, Math.min(filter.limit ?? 100, 10_000));
      const { rows } =
        filter.keyId === undefined
          ? await this.db.pool.query<PgAuditRow>(this.q.auditSince, [since, limit])
          : await this.db.pool.query<PgAuditRow>(this.q.auditOfKey, [since, limit, filter.keyId]);
      return rows.map(auditFromPgRow);
    });
  }

  async flush(): Promise<void> {
    await this.read(() => this.writeTouches());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    await this.listener?.close();
    try {
      await this.writeTouches();
    } catch (err) {
      this.report(`credential store ${this.db.target}: the last-used times of ${this.pendingTouches.size} keys were not written at close: ${(err as Error).message}`);
    } finally {
      await this.db.end();
    }
  }

  // --- internals -------------------------------------------------------------------------

  /**
   * One write transaction: takes the next change seq (which serialises writers of every node),
   * runs `work`, notifies the other nodes on commit, then reads the change into this node's index.
   */
  private async write<T>(work: (c: pg.PoolClient, seq: number, now: number) => Promise<T>): Promise<T> {
    this.open();
    const result = await this.db.guard(() =>
      this.db.transaction(async (c) => {
        const { rows } = await c.query<{ change_seq: string }>(this.q.nextSeq);
        const seq = Number(rows[0].change_seq);
        const out = await work(c, seq, Date.now());
        await c.query('SELECT pg_notify($1, $2)', [this.channel, String(seq)]);
        return out;
      }),
    );
    // The change is committed: a failure to read it back leaves it for the next refresh, it is no error.
    await this.sync().catch((err: Error) => this.unreachable(err));
    return result;
  }

  /** A management read: refused once closed, and "unavailable" when the database is unreachable. */
  private async read<T>(work: () => Promise<T>): Promise<T> {
    this.open();
    return this.db.guard(work);
  }

  /** Inside a write transaction: a fresh key row and its audit entry. */
  private async insertKey(c: pg.PoolClient, input: CreateKeyInput, seq: number, now: number, rotatedFrom?: string): Promise<IssuedKey> {
    // 62^10 ids make a collision all but impossible; ON CONFLICT DO NOTHING turns one into a retry.
    for (let attempt = 0; attempt < 5; attempt++) {
      const { key, id } = generateKey();
      const { rows } = await c.query<PgKeyRow>(this.q.insertKey, [
        id,
        input.consumer,
        sha256(key),
        [...input.scopes],
        input.expiresAt ?? null,
        now,
        input.actor,
        input.name ?? null,
        rotatedFrom ?? null,
        seq,
      ]);
      if (rows.length === 0) continue;
      const details: Record<string, unknown> = { scopes: [...input.scopes] };
      if (input.expiresAt !== undefined) details.expiresAt = input.expiresAt;
      if (input.name !== undefined) details.name = input.name;
      if (rotatedFrom !== undefined) details.rotatedFrom = rotatedFrom;
      await this.audit(c, now, input.actor, 'create', id, input.consumer, details);
      return { key, record: keyFromPgRow(rows[0]) };
    }
    throw new Error('could not find a free key id in 5 attempts');
  }

  private async audit(c: pg.PoolClient, at: number, actor: string, action: AuditAction, keyId: string, consumer: string, details: Record<string, unknown>): Promise<void> {
    await c.query(this.q.audit, [at, actor, action, keyId, consumer, JSON.stringify(details)]);
  }

  private async mustGet(c: pg.PoolClient, id: string): Promise<StoredKey> {
    const { rows } = await c.query<PgKeyRow>(this.q.byIdForUpdate, [id]);
    if (!rows[0]) throw new StoreError('not_found', `no key has id ${JSON.stringify(id)}`);
    return keyFromPgRow(rows[0]);
  }

  // --- following the database: one read at a time ------------------------------------

  private tail: Promise<void> = Promise.resolve();
  /** A read queued behind the running one and not started yet: later callers share it. */
  private queued: Promise<void> | undefined;
  private queuedFull = false;

  /**
   * Reads what changed since the last read (full: everything) into the index. Reads run one at a
   * time; a call made while one runs queues one more, started after it, so a caller that has
   * just committed always gets a read that sees its commit.
   */
  private sync(full = false): Promise<void> {
    this.queuedFull ||= full;
    if (this.queued) return this.queued;
    const run = this.tail.then(() => {
      this.queued = undefined;
      const all = this.queuedFull;
      this.queuedFull = false;
      return all ? this.loadAll() : this.loadChanges();
    });
    this.queued = run;
    this.tail = run.catch(() => {});
    return run;
  }

  private async loadChanges(): Promise<void> {
    const [keys, passwords] = await Promise.all([
      this.db.pool.query<PgKeyRow>(this.q.keysSince, [this.keySeq]),
      this.db.pool.query<PgPasswordRow>(this.q.passwordsSince, [this.passwordSeq]),
    ]);
    for (const row of keys.rows) {
      this.index.set(row.id, keyFromPgRow(row));
      this.keySeq = Math.max(this.keySeq, Number(row.seq));
    }
    for (const row of passwords.rows) {
      this.applyPassword(row);
      this.passwordSeq = Math.max(this.passwordSeq, Number(row.seq));
    }
    this.reachableAgain();
  }

  /** Everything, in one snapshot: after a reconnect, and now and then as a safety net. */
  private async loadAll(): Promise<void> {
    const { keys, passwords } = await this.db.withClient(async (c) => {
      await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const k = (await c.query<PgKeyRow>(this.q.allKeys)).rows;
      const p = (await c.query<PgPasswordRow>(this.q.allPasswords)).rows;
      await c.query('COMMIT');
      return { keys: k, passwords: p };
    });
    this.index = new Map(keys.map((r) => [r.id, keyFromPgRow(r)]));
    this.keySeq = keys.reduce((m, r) => Math.max(m, Number(r.seq)), 0);
    this.passwords = new Map();
    for (const row of passwords) this.applyPassword(row);
    this.passwordSeq = passwords.reduce((m, r) => Math.max(m, Number(r.seq)), 0);
    this.reachableAgain();
  }

  private applyPassword(row: PgPasswordRow): void {
    if (row.hash === null) this.passwords.delete(row.consumer);
    else this.passwords.set(row.consumer, { consumer: row.consumer, hash: row.hash, updatedAt: Number(row.updated_at) });
  }

  /** Writes pending last-used times in one transaction; on failure they wait for the next try. */
  private async writeTouches(): Promise<void> {
    if (this.pendingTouches.size === 0) return;
    const batch = this.pendingTouches;
    this.pendingTouches = new Map();
    const ids = [...batch.keys()];
    try {
      await this.db.withClient(async (c) => {
        await c.query('BEGIN');
        await c.query(this.q.lockForTouch, [ids]);
        await c.query(this.q.touch, [ids, ids.map((id) => batch.get(id)!)]);
        await c.query('COMMIT');
      });
    } catch (err) {
      this.requeue(batch);
      throw err;
    }
  }

  private requeue(batch: Map<string, number>): void {
    for (const [id, at] of batch) this.touch(id, at);
  }

  private background(work: () => Promise<void>): void {
    if (this.closed) return;
    work().catch((err: Error) => {
      if (this.closed) return;
      if (isUnavailable(err)) this.unreachable(err);
      else this.report(`credential store ${this.db.target}: ${err.message}`);
    });
  }

  private unreachable(err: Error): void {
    if (this.closed || !this.reachable) return;
    this.reachable = false;
    this.report(
      `credential store ${this.db.target} cannot be reached (${err.message}): serving the ${this.index.size} keys and ${this.passwords.size} passwords in memory; ` +
        'key and password changes answer 503 until it is back; reconnecting',
    );
  }

  private reachableAgain(): void {
    if (this.reachable || this.closed) return;
    this.reachable = true;
    this.report(`credential store ${this.db.target} is reachable again: ${this.index.size} keys and ${this.passwords.size} passwords in memory`);
  }

  private open(): void {
    if (this.closed) throw new Error(`credential store ${this.db.target} is closed`);
  }
}
