// The credential store: API keys (hashed), passwords and their audit log. A SQLite file by
// default; PostgreSQL (several nodes) when the config says store.backend: postgres, opened
// through openConfiguredStore, which loads the PostgreSQL modules (and the driver) only then.
export { openStore, type SqliteStoreOptions } from './sqlite.ts';
export { describeStore, openConfiguredOwnerStore, openConfiguredStore, storeFile, type ConfiguredStoreOptions } from './open.ts';
export { keyState, StoreError, StoreOpenError, StoreUnavailableError, type AuditEntry, type CreateKeyInput, type CredentialStore, type IssuedKey, type KeyState, type RotatedKey, type StoredKey } from './types.ts';
