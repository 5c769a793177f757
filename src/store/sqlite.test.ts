import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { storeContract } from './contract.ts';
import { openStore } from './sqlite.ts';
import { STORE_SCHEMA_VERSION } from './sqlite-schema.ts';

function tempFile(): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'pinpoint-store-'));
  return { dir, file: join(dir, 'nested', 'store.db') };
}

storeContract('sqlite', async () => {
  const { dir, file } = tempFile();
  const store = openStore(file);
  return {
    store,
    async cleanup() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

async function until(check: () => boolean, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - t0;
}

test('sqlite: the file holds the hash only, never the plain key or its secret (db and WAL bytes)', async () => {
  const { dir, file } = tempFile();
  const store = openStore(file);
  try {
    const issued = [await store.createKey({ consumer: 'a', scopes: ['r'], actor: 't' })];
    issued.push(await store.rotateKey(issued[0].record.id, { overlapMs: 1000, actor: 't' }));
    await store.revokeKey(issued[1].record.id, 'test', 't');
    const bytes = () => Buffer.concat([file, `${file}-wal`].filter(existsSync).map((f) => readFileSync(f)));
    for (const { key, record } of issued) {
      const all = bytes();
      assert.ok(all.includes(Buffer.from(record.id)), 'the public id is stored (the search below can find text)');
      assert.ok(all.includes(record.hash), 'the hash is stored');
      assert.ok(!all.includes(Buffer.from(key)), 'the plain key is not in the file');
      assert.ok(!all.includes(Buffer.from(key.slice(13, 45))), 'the secret part is not in the file');
    }
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sqlite: a key created, rotated or revoked by another process shows in the index within a second', async () => {
  const { dir, file } = tempFile();
  const gateway = openStore(file);
  const cli = openStore(file);
  try {
    const { record } = await cli.createKey({ consumer: 'a', scopes: [], actor: 'cli:alice' });
    assert.equal(gateway.get(record.id), undefined, 'not polled yet');
    const seenAfter = await until(() => gateway.get(record.id) !== undefined, 1500);
    assert.ok(seenAfter <= 1000, `seen after ${seenAfter} ms`);
    const r = await cli.rotateKey(record.id, { overlapMs: 5000, actor: 'cli:alice' });
    await cli.revokeKey(r.record.id, 'test', 'cli:alice');
    await until(() => gateway.get(r.record.id)?.status === 'revoked', 1500);
    assert.equal(gateway.get(record.id)?.expiresAt, r.previous.expiresAt);
    // And the other way round, with changes of both sides interleaved.
    const g = await gateway.createKey({ consumer: 'b', scopes: [], actor: 'admin-api' });
    const c = await cli.createKey({ consumer: 'c', scopes: [], actor: 'cli:alice' });
    await until(() => cli.get(g.record.id) !== undefined && gateway.get(c.record.id) !== undefined, 1500);
  } finally {
    await gateway.close();
    await cli.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sqlite: last-used times are batched on a timer, not written per request, and flushed on close', async () => {
  const { dir, file } = tempFile();
  const store = openStore(file, { touchFlushMs: 200 });
  const peek = new Database(file, { readonly: true });
  const lastUsed = (id: string) => (peek.prepare('SELECT last_used_at FROM api_keys WHERE id = ?').pluck().get(id) as number | null);
  try {
    const { record } = await store.createKey({ consumer: 'a', scopes: [], actor: 't' });
    for (let i = 1; i <= 1000; i++) store.touch(record.id, 1_700_000_000_000 + i);
    assert.equal(lastUsed(record.id), null, 'a touch writes nothing by itself');
    await until(() => lastUsed(record.id) !== null, 1000);
    assert.equal(lastUsed(record.id), 1_700_000_001_000, 'one write carried the latest of the batch');
    store.touch(record.id, 1_800_000_000_000);
    await store.close();
    assert.equal(lastUsed(record.id), 1_800_000_000_000, 'close writes what is pending');
  } finally {
    peek.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sqlite: a pending batch waits while another process holds the write lock, then lands', async () => {
  const { dir, file } = tempFile();
  const store = openStore(file, { touchFlushMs: 50 });
  const other = new Database(file);
  try {
    const { record } = await store.createKey({ consumer: 'a', scopes: [], actor: 't' });
    other.exec('BEGIN IMMEDIATE');
    store.touch(record.id, 1_900_000_000_000);
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, 200));
    // The timer ran several times meanwhile without blocking the event loop on the lock.
    assert.ok(Date.now() - t0 < 1000);
    other.exec('COMMIT');
    await until(() => other.prepare('SELECT last_used_at FROM api_keys').pluck().get() === 1_900_000_000_000, 1000);
  } finally {
    other.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sqlite: a store file of a newer schema is refused, not misread', async () => {
  const { dir, file } = tempFile();
  try {
    await openStore(file).close();
    const db = new Database(file);
    db.pragma(`user_version = ${STORE_SCHEMA_VERSION + 1}`);
    db.close();
    assert.throws(() => openStore(file), new RegExp(`schema version ${STORE_SCHEMA_VERSION + 1} is newer`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sqlite: a password set or removed by another process shows in the index within a second', async () => {
  const { dir, file } = tempFile();
  const gateway = openStore(file);
  const cli = openStore(file);
  try {
    const set = await cli.setPassword('a', 'a long password', 'cli:alice');
    await until(() => gateway.password('a')?.hash === set.hash, 1500);
    await cli.removePassword('a', 'cli:alice');
    await until(() => gateway.password('a') === undefined, 1500);
    const bytes = Buffer.concat([file, `${file}-wal`].filter(existsSync).map((f) => readFileSync(f)));
    assert.ok(!bytes.includes(Buffer.from('a long password')), 'the password is not in the file');
  } finally {
    await gateway.close();
    await cli.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sqlite: a schema 1 file is migrated in place: its keys stay, passwords can be set', async () => {
  const { dir, file } = tempFile();
  try {
    const v1 = openStore(file);
    const { record } = await v1.createKey({ consumer: 'a', scopes: [], actor: 't' });
    await v1.close();
    const db = new Database(file);
    db.exec('DROP TABLE passwords');
    db.pragma('user_version = 1');
    db.close();
    const store = openStore(file);
    try {
      assert.equal(store.get(record.id)?.consumer, 'a');
      await store.setPassword('a', 'a long password', 't');
      assert.ok(store.password('a'));
    } finally {
      await store.close();
    }
    const check = new Database(file, { readonly: true });
    assert.equal(check.pragma('user_version', { simple: true }), STORE_SCHEMA_VERSION);
    check.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
