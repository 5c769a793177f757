// The credential store: API keys (hashed) and their audit log. SQLite by default.
export { openStore, type SqliteStoreOptions } from './sqlite.ts';
export { keyState, StoreError, type AuditEntry, type CreateKeyInput, type CredentialStore, type IssuedKey, type KeyState, type RotatedKey, type StoredKey } from './types.ts';
