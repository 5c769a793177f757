import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { ownerStoreContract } from './owners-contract.ts';
import { openOwnerStore } from './owners-sqlite.ts';
import { openStore } from './sqlite.ts';
import { STORE_SCHEMA_VERSION } from './sqlite-schema.ts';

function tempFile(): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'pinpoint-owners-'));
  return { dir, file: join(dir, 'nested', 'store.db') };
}

ownerStoreContract('sqlite', async () => {
  const { dir, file } = tempFile();
  const store = openOwnerStore(file);
  return {
    store,
    async cleanup() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

test('ownership records live in the credential store\'s file beside its tables, in either order of opening', async () => {
  for (const ownersFirst of [true, false]) {
    const { dir, file } = tempFile();
    const owners1 = ownersFirst ? openOwnerStore(file) : undefined;
    const keys = openStore(file, { report: () => {} });
    const owners = owners1 ?? openOwnerStore(file);
    const { key } = await keys.createKey({ consumer: 'alice', scopes: [], actor: 'test' });
    await owners.recordOwner({ resource: 'orders', id: 'o1', consumer: 'alice', tenant: 'acme', requestId: 'r', route: 'x' });
    const db = new Database(file, { readonly: true });
    assert.equal(db.pragma('user_version', { simple: true }), STORE_SCHEMA_VERSION, 'the credential schema version is the credential store\'s');
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[]).filter((t) => !t.startsWith('sqlite_'));
    assert.deepEqual(tables, ['api_keys', 'audit_log', 'passwords', 'resource_owner_audit', 'resource_owners']);
    db.close();
    assert.ok(key.startsWith('pk_'));
    await keys.close();
    await owners.close();
    // Reopened: both are still there.
    const again = openOwnerStore(file);
    assert.equal((await again.getOwner('orders', 'o1'))?.consumer, 'alice');
    await again.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a write while another process holds the lock does not block the event loop: it lands once the lock is released', async () => {
  const { dir, file } = tempFile();
  const owners = openOwnerStore(file);
  const other = new Database(file);
  other.exec('BEGIN IMMEDIATE');
  let settled = false;
  const pending = owners.recordOwner({ resource: 'orders', id: 'o1', consumer: 'alice', requestId: 'r', route: 'x' }).finally(() => (settled = true));
  // The call returned at once; timers still run while it waits for the lock.
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(settled, false, 'still waiting for the lock');
  other.exec('COMMIT');
  assert.equal((await pending).outcome, 'created');
  assert.equal((await owners.getOwner('orders', 'o1'))?.consumer, 'alice');
  other.close();
  await owners.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a write that cannot get the lock in time fails (the caller logs it), and nothing half-written remains', async () => {
  const { dir, file } = tempFile();
  const owners = openOwnerStore(file, { busyRetryMs: 50 });
  const other = new Database(file);
  other.exec('BEGIN IMMEDIATE');
  await assert.rejects(owners.recordOwner({ resource: 'orders', id: 'o1', consumer: 'alice', requestId: 'r', route: 'x' }), (err: unknown) => (err as { code?: string }).code === 'SQLITE_BUSY');
  other.exec('ROLLBACK');
  assert.equal(await owners.getOwner('orders', 'o1'), undefined);
  other.close();
  await owners.close();
  rmSync(dir, { recursive: true, force: true });
});
