import type { ApiKeyRecord, KeyIndex, PasswordIndex, PasswordRecord } from '../layers/authn/types.ts';

/**
 * The credential store: API keys (hashed), consumers' passwords (scrypt hashes) and the audit
 * log of every change to them.
 * SQLite implements it today (src/store/sqlite.ts); another backend (PostgreSQL) implements
 * the same interface and must pass the same contract tests (src/store/contract.ts).
 *
 * The request path only calls the KeyIndex and PasswordIndex halves (`get`, `touch`,
 * `password`): synchronous, in memory.
 * Management calls return promises so that a networked backend fits the same shape.
 */
export interface CredentialStore extends KeyIndex, PasswordIndex {
  /** Issues a key. The plain key is in the answer and nowhere else: only its hash is stored. */
  createKey(input: CreateKeyInput): Promise<IssuedKey>;
  /** Keys, oldest first, optionally of one consumer. */
  listKeys(filter?: { consumer?: string }): Promise<StoredKey[]>;
  getKey(id: string): Promise<StoredKey | undefined>;
  /** Refuses (StoreError 'conflict') a key already revoked. */
  revokeKey(id: string, reason: string, actor: string): Promise<StoredKey>;
  /**
   * Issues the replacement of an active key: same consumer, scopes and name (and the same
   * lifetime, when the old key had one). The old key keeps working for `overlapMs`, then
   * expires; it records which key replaced it.
   */
  rotateKey(id: string, opts: { overlapMs: number; actor: string }): Promise<RotatedKey>;
  /**
   * Sets (or replaces) a consumer's password for HTTP Basic: the store keeps its scrypt hash
   * only. The caller checks the consumer exists and the password is acceptable.
   */
  setPassword(consumer: string, password: string, actor: string): Promise<PasswordRecord>;
  /** Removes a consumer's password; refuses (StoreError 'not_found') a consumer without one. */
  removePassword(consumer: string, actor: string): Promise<void>;
  /** Audit entries, newest first. */
  listAudit(filter?: { since?: number; limit?: number; keyId?: string }): Promise<AuditEntry[]>;
  /** Writes the pending last-used times now (they are otherwise written on a timer). */
  flush(): Promise<void>;
  /** Flushes, stops the timers and closes the backend. */
  close(): Promise<void>;
}

export interface CreateKeyInput {
  /** Must be a consumer of the config: the caller checks, the store only stores. */
  consumer: string;
  scopes: readonly string[];
  /** Epoch ms. */
  expiresAt?: number;
  name?: string;
  /** Who asked: "admin-api", "cli:<os user>". */
  actor: string;
}

/** A key as management sees it: the index record plus bookkeeping. Never the plain key. */
export interface StoredKey extends ApiKeyRecord {
  /** Epoch ms of the last accepted request (written in batches: may lag by a second). */
  lastUsedAt?: number;
  /** The key that replaced this one in a rotation. */
  replacedBy?: string;
  /** The key this one replaced in a rotation. */
  rotatedFrom?: string;
  createdBy: string;
}

export interface IssuedKey {
  /** The plain key: shown once, to whoever asked for it, and never stored. */
  key: string;
  record: StoredKey;
}

export interface RotatedKey extends IssuedKey {
  /** The old key, with its new expiry and `replacedBy`. */
  previous: StoredKey;
}

export type AuditAction = 'create' | 'revoke' | 'rotate' | 'set_password' | 'remove_password';

export interface AuditEntry {
  id: number;
  /** Epoch ms. */
  at: number;
  actor: string;
  action: AuditAction;
  /** The key's id; for a password change, `password:<consumer>`. */
  keyId: string;
  consumer: string;
  details: Record<string, unknown>;
}

/** The status a key shows in listings: stored status plus what time has done to it. */
export type KeyState = 'active' | 'revoked' | 'expired';

export function keyState(k: ApiKeyRecord, now = Date.now()): KeyState {
  if (k.status === 'revoked') return 'revoked';
  if (k.expiresAt !== undefined && k.expiresAt <= now) return 'expired';
  return 'active';
}

/** A management call the store refuses: no such key, or a key in the wrong state for it. */
export class StoreError extends Error {
  constructor(
    readonly kind: 'not_found' | 'conflict',
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

/**
 * The store's database cannot be reached (PostgreSQL down, network cut, a statement timed out).
 * Nothing was changed; the request path keeps its in-memory index. The admin API answers 503.
 */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

/** The store could not be opened (its database unreachable or unusable): the message says what to do. */
export class StoreOpenError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreOpenError';
  }
}
