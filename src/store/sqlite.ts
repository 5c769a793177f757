import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { generateKey, keyLabel } from '../layers/authn/api-key/format.ts';
import { hashPassword } from '../layers/authn/basic/password.ts';
import type { PasswordRecord } from '../layers/authn/types.ts';
import { auditFromRow, keyFromRow } from './sqlite-rows.ts';
import { openStoreDb, type AuditRow, type KeyRow, type PasswordRow } from './sqlite-schema.ts';
import { keyState, StoreError, type AuditAction, type AuditEntry, type CreateKeyInput, type CredentialStore, type IssuedKey, type RotatedKey, type StoredKey } from './types.ts';

export interface SqliteStoreOptions {
  /** How often to look for changes made by another process (the CLI), in ms. Default 500. */
  refreshMs?: number;
  /** How often pending last-used times are written, in ms. Default 1000. */
  touchFlushMs?: number;
  /** Where a failed background refresh or flush is reported (default: stderr). */
  report?(message: string): void;
}

/** The credential store on a SQLite file (WAL), shared by the gateway and the CLI. */
export function openStore(file: string, opts: SqliteStoreOptions = {}): CredentialStore {
  return new SqliteCredentialStore(file, opts);
}

const sha256 = (key: string): Buffer => createHash('sha256').update(key).digest();

class SqliteCredentialStore implements CredentialStore {
  private readonly db: Database.Database;
  /** Every key by id, revoked and expired ones too: the request path reads only this. */
  private readonly index = new Map<string, StoredKey>();
  /** Passwords by consumer (hashes only): the request path reads only this. */
  private readonly passwords = new Map<string, PasswordRecord>();
  private lastPasswordSeq = 0;
  /** Last-used times not written yet, by key id. */
  private pendingTouches = new Map<string, number>();
  private lastSeq = 0;
  private dataVersion: number;
  private readonly timers: NodeJS.Timeout[];
  private closed = false;
  private readonly report: (m: string) => void;
  private readonly q;

  constructor(readonly file: string, opts: SqliteStoreOptions) {
    this.db = openStoreDb(file);
    this.report = opts.report ?? ((m) => process.stderr.write(m + '\n'));
    const db = this.db;
    this.q = {
      changedSince: db.prepare<[number], KeyRow>('SELECT * FROM api_keys WHERE seq > ? ORDER BY seq'),
      byId: db.prepare<[string], KeyRow>('SELECT * FROM api_keys WHERE id = ?'),
      all: db.prepare<[], KeyRow>('SELECT * FROM api_keys ORDER BY created_at, seq'),
      ofConsumer: db.prepare<[string], KeyRow>('SELECT * FROM api_keys WHERE consumer = ? ORDER BY created_at, seq'),
      nextSeq: db.prepare<[], number>('SELECT coalesce(max(seq), 0) + 1 FROM api_keys').pluck(),
      insert: db.prepare(
        `INSERT INTO api_keys (id, consumer, hash, scopes, status, expires_at, created_at, created_by, name, rotated_from, seq)
         VALUES (@id, @consumer, @hash, @scopes, 'active', @expiresAt, @createdAt, @createdBy, @name, @rotatedFrom, @seq)`,
      ),
      revoke: db.prepare("UPDATE api_keys SET status = 'revoked', revoked_at = ?, revoked_reason = ?, seq = ? WHERE id = ?"),
      replace: db.prepare('UPDATE api_keys SET expires_at = ?, replaced_by = ?, seq = ? WHERE id = ?'),
      passwordsSince: db.prepare<[number], PasswordRow>('SELECT * FROM passwords WHERE seq > ? ORDER BY seq'),
      passwordOf: db.prepare<[string], PasswordRow>('SELECT * FROM passwords WHERE consumer = ?'),
      nextPasswordSeq: db.prepare<[], number>('SELECT coalesce(max(seq), 0) + 1 FROM passwords').pluck(),
      upsertPassword: db.prepare(
        `INSERT INTO passwords (consumer, hash, updated_at, updated_by, seq) VALUES (@consumer, @hash, @at, @actor, @seq)
         ON CONFLICT (consumer) DO UPDATE SET hash = @hash, updated_at = @at, updated_by = @actor, seq = @seq`,
      ),
      touch: db.prepare('UPDATE api_keys SET last_used_at = max(coalesce(last_used_at, 0), ?) WHERE id = ?'),
      audit: db.prepare('INSERT INTO audit_log (at, actor, action, key_id, consumer, details) VALUES (?, ?, ?, ?, ?, ?)'),
      auditSince: db.prepare<[number, number], AuditRow>('SELECT * FROM audit_log WHERE at >= ? ORDER BY id DESC LIMIT ?'),
      auditOfKey: db.prepare<[number, string, number], AuditRow>('SELECT * FROM audit_log WHERE at >= ? AND key_id = ? ORDER BY id DESC LIMIT ?'),
    };
    this.loadChanges();
    this.dataVersion = this.readDataVersion();
    // Unref'd: an open store never keeps a process (the CLI, a test) alive.
    this.timers = [
      setInterval(() => this.background(() => this.refresh(), 'refresh'), opts.refreshMs ?? 500).unref(),
      setInterval(() => this.background(() => this.writeTouches(false), 'last-used write'), opts.touchFlushMs ?? 1000).unref(),
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
    this.open();
    const issued = this.db.transaction(() => this.insertKey(input, Date.now())).immediate();
    this.loadChanges();
    return issued;
  }

  async listKeys(filter: { consumer?: string } = {}): Promise<StoredKey[]> {
    this.open();
    this.writeTouches(true);
    const rows = filter.consumer === undefined ? this.q.all.all() : this.q.ofConsumer.all(filter.consumer);
    return rows.map(keyFromRow);
  }

  async getKey(id: string): Promise<StoredKey | undefined> {
    this.open();
    this.writeTouches(true);
    const row = this.q.byId.get(id);
    return row && keyFromRow(row);
  }

  async revokeKey(id: string, reason: string, actor: string): Promise<StoredKey> {
    this.open();
    const revoked = this.db
      .transaction(() => {
        const old = this.mustGet(id);
        if (old.status === 'revoked') {
          throw new StoreError('conflict', `key ${keyLabel(id)} was already revoked at ${new Date(old.revoked_at!).toISOString()}`);
        }
        const now = Date.now();
        this.q.revoke.run(now, reason, this.q.nextSeq.get()!, id);
        this.audit(now, actor, 'revoke', id, old.consumer, { reason });
        return keyFromRow(this.q.byId.get(id)!);
      })
      .immediate();
    this.loadChanges();
    return revoked;
  }

  async rotateKey(id: string, opts: { overlapMs: number; actor: string }): Promise<RotatedKey> {
    this.open();
    if (!Number.isFinite(opts.overlapMs) || opts.overlapMs < 0) throw new RangeError('overlapMs must be a finite number >= 0');
    const rotated = this.db
      .transaction((): RotatedKey => {
        const old = keyFromRow(this.mustGet(id));
        const now = Date.now();
        const state = keyState(old, now);
        if (state !== 'active') throw new StoreError('conflict', `key ${keyLabel(id)} is ${state}: only an active key is rotated; create a new key instead`);
        if (old.replacedBy) throw new StoreError('conflict', `key ${keyLabel(id)} was already rotated; its replacement is ${keyLabel(old.replacedBy)}`);
        const lifetime = old.expiresAt !== undefined ? old.expiresAt - old.createdAt : undefined;
        const issued = this.insertKey(
          { consumer: old.consumer, scopes: old.scopes, name: old.name, expiresAt: lifetime !== undefined ? now + lifetime : undefined, actor: opts.actor },
          now,
          id,
        );
        const oldExpiresAt = Math.min(old.expiresAt ?? Infinity, now + opts.overlapMs);
        this.q.replace.run(oldExpiresAt, issued.record.id, this.q.nextSeq.get()!, id);
        this.audit(now, opts.actor, 'rotate', id, old.consumer, { replacedBy: issued.record.id, overlapMs: opts.overlapMs, expiresAt: oldExpiresAt });
        return { ...issued, previous: keyFromRow(this.q.byId.get(id)!) };
      })
      .immediate();
    this.loadChanges();
    return rotated;
  }

  async setPassword(consumer: string, password: string, actor: string): Promise<PasswordRecord> {
    this.open();
    // Hashed before the write transaction: scrypt takes tens of milliseconds, the lock must not.
    const hash = await hashPassword(password);
    this.open();
    this.db
      .transaction(() => {
        const now = Date.now();
        const replaced = this.q.passwordOf.get(consumer)?.hash != null;
        this.q.upsertPassword.run({ consumer, hash, at: now, actor, seq: this.q.nextPasswordSeq.get()! });
        this.audit(now, actor, 'set_password', `password:${consumer}`, consumer, { replaced });
      })
      .immediate();
    this.loadChanges();
    return this.passwords.get(consumer)!;
  }

  async removePassword(consumer: string, actor: string): Promise<void> {
    this.open();
    this.db
      .transaction(() => {
        if (this.q.passwordOf.get(consumer)?.hash == null) throw new StoreError('not_found', `consumer ${JSON.stringify(consumer)} has no password`);
        const now = Date.now();
        this.q.upsertPassword.run({ consumer, hash: null, at: now, actor, seq: this.q.nextPasswordSeq.get()! });
        this.audit(now, actor, 'remove_password', `password:${consumer}`, consumer, {});
      })
      .immediate();
    this.loadChanges();
  }

  async listAudit(filter: { since?: number; limit?: number; keyId?: string } = {}): Promise<AuditEntry[]> {
    this.open();
    const since = filter.since ?? 0;
    const limit = Math.max(1, Math.min(filter.limit ?? 100, 10_000));
    const rows = filter.keyId === undefined ? this.q.auditSince.all(since, limit) : this.q.auditOfKey.all(since, filter.keyId, limit);
    return rows.map(auditFromRow);
  }

  async flush(): Promise<void> {
    this.open();
    this.writeTouches(true);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    for (const t of this.timers) clearInterval(t);
    try {
      this.writeTouches(true);
    } finally {
      this.closed = true;
      this.db.close();
    }
  }

  // --- internals -------------------------------------------------------------------------

  /** Inside a write transaction: a fresh key row and its audit entry. */
  private insertKey(input: CreateKeyInput, now: number, rotatedFrom?: string): IssuedKey {
    let generated = generateKey();
    // 62^10 ids make a collision all but impossible; checking costs one indexed read.
    for (let i = 0; i < 5 && this.q.byId.get(generated.id); i++) generated = generateKey();
    const { key, id } = generated;
    this.q.insert.run({
      id,
      consumer: input.consumer,
      hash: sha256(key),
      scopes: JSON.stringify([...input.scopes]),
      expiresAt: input.expiresAt ?? null,
      createdAt: now,
      createdBy: input.actor,
      name: input.name ?? null,
      rotatedFrom: rotatedFrom ?? null,
      seq: this.q.nextSeq.get()!,
    });
    const details: Record<string, unknown> = { scopes: [...input.scopes] };
    if (input.expiresAt !== undefined) details.expiresAt = input.expiresAt;
    if (input.name !== undefined) details.name = input.name;
    if (rotatedFrom !== undefined) details.rotatedFrom = rotatedFrom;
    this.audit(now, input.actor, 'create', id, input.consumer, details);
    return { key, record: keyFromRow(this.q.byId.get(id)!) };
  }

  private audit(at: number, actor: string, action: AuditAction, keyId: string, consumer: string, details: Record<string, unknown>): void {
    this.q.audit.run(at, actor, action, keyId, consumer, JSON.stringify(details));
  }

  private mustGet(id: string): KeyRow {
    const row = this.q.byId.get(id);
    if (!row) throw new StoreError('not_found', `no key has id ${JSON.stringify(id)}`);
    return row;
  }

  /** Reads every row written since the last read (by anyone) into the index. */
  private loadChanges(): void {
    for (const row of this.q.changedSince.iterate(this.lastSeq)) {
      this.index.set(row.id, keyFromRow(row));
      if (row.seq > this.lastSeq) this.lastSeq = row.seq;
    }
    for (const row of this.q.passwordsSince.iterate(this.lastPasswordSeq)) {
      if (row.hash === null) this.passwords.delete(row.consumer);
      else this.passwords.set(row.consumer, { consumer: row.consumer, hash: row.hash, updatedAt: row.updated_at });
      if (row.seq > this.lastPasswordSeq) this.lastPasswordSeq = row.seq;
    }
  }

  private readDataVersion(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
  }

  /** data_version moves when another connection commits to the file: then read what changed. */
  private refresh(): void {
    const v = this.readDataVersion();
    if (v === this.dataVersion) return;
    this.dataVersion = v;
    this.loadChanges();
  }

  /**
   * Writes pending last-used times in one transaction. From the timer it does not wait for
   * a lock another process holds (busy_timeout 0): the batch is kept for the next tick.
   */
  private writeTouches(wait: boolean): void {
    if (this.pendingTouches.size === 0 || this.closed) return;
    const batch = this.pendingTouches;
    this.pendingTouches = new Map();
    if (!wait) this.db.pragma('busy_timeout = 0');
    try {
      this.db.transaction(() => {
        for (const [id, at] of batch) this.q.touch.run(at, id);
      })();
    } catch (err) {
      for (const [id, at] of batch) this.touch(id, at);
      throw err;
    } finally {
      if (!wait) this.db.pragma('busy_timeout = 5000');
    }
  }

  private background(work: () => void, what: string): void {
    if (this.closed) return;
    try {
      work();
    } catch (err) {
      const busy = (err as { code?: string }).code === 'SQLITE_BUSY';
      if (!busy) this.report(`credential store ${this.file}: ${what} failed: ${(err as Error).message}`);
    }
  }

  private open(): void {
    if (this.closed) throw new Error(`credential store ${this.file} is closed`);
  }
}
