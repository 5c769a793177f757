// The contract every credential store backend passes. A backend's test file calls
// storeContract with a factory that opens a fresh, empty store (see sqlite.test.ts).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { parseKey } from '../layers/authn/api-key/format.ts';
import { verifyPassword } from '../layers/authn/basic/password.ts';
import { keyState, StoreError, type CredentialStore } from './types.ts';

export interface OpenedStore {
  store: CredentialStore;
  /** Closes the store and removes what the factory created. */
  cleanup(): Promise<void>;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest();

async function rejectsWith(p: Promise<unknown>, kind: StoreError['kind'], pattern: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => err instanceof StoreError && err.kind === kind && pattern.test(err.message));
}

export function storeContract(backend: string, open: () => Promise<OpenedStore>): void {
  const withStore = (name: string, fn: (store: CredentialStore) => Promise<void>) =>
    test(`${backend}: ${name}`, async () => {
      const { store, cleanup } = await open();
      try {
        await fn(store);
      } finally {
        await cleanup();
      }
    });

  describe(`credential store contract (${backend})`, () => {
    withStore('createKey returns the plain key once; the record holds only its SHA-256', async (store) => {
      const before = Date.now();
      const { key, record } = await store.createKey({ consumer: 'acme-app', scopes: ['orders:read'], name: 'ci', actor: 'cli:alice' });
      const parsed = parseKey(key);
      assert.ok(parsed.ok, 'the issued key parses with a valid checksum');
      assert.equal(parsed.id, record.id);
      assert.deepEqual(record.hash, sha256(key));
      assert.equal(record.consumer, 'acme-app');
      assert.deepEqual([...record.scopes], ['orders:read']);
      assert.equal(record.status, 'active');
      assert.equal(record.name, 'ci');
      assert.equal(record.createdBy, 'cli:alice');
      assert.ok(record.createdAt >= before && record.createdAt <= Date.now());
      assert.equal(record.expiresAt, undefined);
      assert.ok(!JSON.stringify(record).includes(key.slice(13)), 'no part of the secret in the record');
      // The request-path index knows it at once.
      assert.deepEqual(store.get(record.id)?.hash, sha256(key));
    });

    withStore('listKeys lists oldest first and filters by consumer; getKey finds one or nothing', async (store) => {
      const a = await store.createKey({ consumer: 'a', scopes: [], actor: 't' });
      const b = await store.createKey({ consumer: 'b', scopes: ['x'], actor: 't' });
      const a2 = await store.createKey({ consumer: 'a', scopes: ['y', 'z'], expiresAt: Date.now() + 60_000, actor: 't' });
      assert.deepEqual((await store.listKeys()).map((k) => k.id), [a.record.id, b.record.id, a2.record.id]);
      assert.deepEqual((await store.listKeys({ consumer: 'a' })).map((k) => k.id), [a.record.id, a2.record.id]);
      assert.deepEqual(await store.listKeys({ consumer: 'nobody' }), []);
      const got = await store.getKey(a2.record.id);
      assert.equal(got?.expiresAt, a2.record.expiresAt);
      assert.deepEqual([...got!.scopes], ['y', 'z']);
      assert.equal(await store.getKey('0000000000'), undefined);
      assert.equal(store.get('0000000000'), undefined);
    });

    withStore('revokeKey marks the key revoked with time and reason, once', async (store) => {
      const { record } = await store.createKey({ consumer: 'a', scopes: [], actor: 't' });
      const revoked = await store.revokeKey(record.id, 'leaked in a public repo', 'admin-api');
      assert.equal(revoked.status, 'revoked');
      assert.equal(revoked.revokedReason, 'leaked in a public repo');
      assert.ok(revoked.revokedAt! >= record.createdAt);
      assert.equal(store.get(record.id)?.status, 'revoked', 'the index sees the revocation at once');
      assert.equal(keyState(revoked), 'revoked');
      await rejectsWith(store.revokeKey(record.id, 'again', 't'), 'conflict', /already revoked/);
      await rejectsWith(store.revokeKey('0000000000', 'x', 't'), 'not_found', /0000000000/);
    });

    withStore('rotateKey issues a replacement and lets the old key live for the overlap only', async (store) => {
      const old = await store.createKey({ consumer: 'a', scopes: ['s1', 's2'], name: 'prod', actor: 't' });
      const t0 = Date.now();
      const r = await store.rotateKey(old.record.id, { overlapMs: 3_600_000, actor: 'cli:bob' });
      assert.notEqual(r.key, old.key);
      assert.ok(parseKey(r.key).ok);
      assert.equal(r.record.consumer, 'a');
      assert.deepEqual([...r.record.scopes], ['s1', 's2']);
      assert.equal(r.record.name, 'prod');
      assert.equal(r.record.rotatedFrom, old.record.id);
      assert.equal(r.record.expiresAt, undefined, 'a key without expiry is replaced by one without expiry');
      assert.equal(r.previous.replacedBy, r.record.id);
      assert.ok(r.previous.expiresAt! >= t0 + 3_600_000 && r.previous.expiresAt! <= Date.now() + 3_600_000);
      assert.equal(r.previous.status, 'active');
      assert.equal(store.get(old.record.id)?.expiresAt, r.previous.expiresAt, 'the index sees the new expiry');
      assert.deepEqual(store.get(r.record.id)?.hash, sha256(r.key));
      await rejectsWith(store.rotateKey(old.record.id, { overlapMs: 0, actor: 't' }), 'conflict', /already rotated/);
      await rejectsWith(store.rotateKey('0000000000', { overlapMs: 0, actor: 't' }), 'not_found', /0000000000/);
    });

    withStore('rotation keeps a key\'s lifetime, never extends the old key, and refuses revoked or expired keys', async (store) => {
      const day = 86_400_000;
      const limited = await store.createKey({ consumer: 'a', scopes: [], expiresAt: Date.now() + 30 * day, actor: 't' });
      const r = await store.rotateKey(limited.record.id, { overlapMs: 400 * day, actor: 't' });
      const lifetime = limited.record.expiresAt! - limited.record.createdAt;
      assert.equal(r.record.expiresAt! - r.record.createdAt, lifetime);
      assert.equal(r.previous.expiresAt, limited.record.expiresAt, 'an overlap beyond the old expiry does not extend it');
      const now = await store.rotateKey(r.record.id, { overlapMs: 0, actor: 't' });
      assert.equal(keyState(now.previous), 'expired', 'overlap 0 ends the old key at once');
      const revoked = await store.createKey({ consumer: 'a', scopes: [], actor: 't' });
      await store.revokeKey(revoked.record.id, 'gone', 't');
      await rejectsWith(store.rotateKey(revoked.record.id, { overlapMs: 0, actor: 't' }), 'conflict', /revoked/);
      const expired = await store.createKey({ consumer: 'a', scopes: [], expiresAt: Date.now() - 1, actor: 't' });
      await rejectsWith(store.rotateKey(expired.record.id, { overlapMs: 0, actor: 't' }), 'conflict', /expired/);
    });

    withStore('every change is in the audit log: who, what, which key, when, details; newest first', async (store) => {
      const t0 = Date.now();
      const a = await store.createKey({ consumer: 'a', scopes: ['r'], name: 'n', actor: 'cli:alice' });
      await store.revokeKey(a.record.id, 'rotated by hand', 'admin-api');
      const b = await store.createKey({ consumer: 'b', scopes: [], actor: 'admin-api' });
      const r = await store.rotateKey(b.record.id, { overlapMs: 1000, actor: 'cli:bob' });
      const all = await store.listAudit();
      assert.deepEqual(
        all.map((e) => [e.action, e.keyId, e.consumer, e.actor]),
        [
          ['rotate', b.record.id, 'b', 'cli:bob'],
          ['create', r.record.id, 'b', 'cli:bob'],
          ['create', b.record.id, 'b', 'admin-api'],
          ['revoke', a.record.id, 'a', 'admin-api'],
          ['create', a.record.id, 'a', 'cli:alice'],
        ],
      );
      for (const e of all) assert.ok(e.at >= t0 && e.at <= Date.now());
      assert.deepEqual(all[4].details, { scopes: ['r'], name: 'n' });
      assert.deepEqual(all[3].details, { reason: 'rotated by hand' });
      assert.equal(all[0].details.replacedBy, r.record.id);
      assert.equal(all[0].details.overlapMs, 1000);
      assert.equal(all[1].details.rotatedFrom, b.record.id);
      assert.equal((await store.listAudit({ limit: 2 })).length, 2);
      assert.deepEqual((await store.listAudit({ keyId: a.record.id })).map((e) => e.action), ['revoke', 'create']);
      assert.deepEqual(await store.listAudit({ since: Date.now() + 60_000 }), []);
      assert.ok(!JSON.stringify(all).includes(a.key.slice(13)) && !JSON.stringify(all).includes(r.key.slice(13)), 'no secret in the audit log');
    });

    withStore('touch records the last use (the latest one wins) once flushed', async (store) => {
      const { record } = await store.createKey({ consumer: 'a', scopes: [], actor: 't' });
      assert.equal((await store.getKey(record.id))?.lastUsedAt, undefined);
      store.touch(record.id, 2_000_000_000_000);
      store.touch(record.id, 1_000_000_000_000);
      await store.flush();
      assert.equal((await store.getKey(record.id))?.lastUsedAt, 2_000_000_000_000);
      store.touch(record.id, 1_500_000_000_000);
      await store.flush();
      assert.equal((await store.getKey(record.id))?.lastUsedAt, 2_000_000_000_000, 'an older use never moves it back');
      store.touch('0000000000', Date.now());
      await store.flush();
    });

    withStore('setPassword keeps a salted scrypt hash only; the index sees it at once; a new password replaces it', async (store) => {
      assert.equal(store.password('a'), undefined);
      const before = Date.now();
      const set = await store.setPassword('a', 'correct horse battery', 'cli:alice');
      assert.equal(set.consumer, 'a');
      assert.ok(set.updatedAt >= before && set.updatedAt <= Date.now());
      assert.match(set.hash, /^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
      assert.ok(!set.hash.includes('correct horse'), 'never the password');
      assert.equal(store.password('a')?.hash, set.hash);
      assert.equal(await verifyPassword('correct horse battery', set.hash), true);
      assert.equal(await verifyPassword('correct horse batterY', set.hash), false);
      const other = await store.setPassword('b', 'correct horse battery', 't');
      assert.notEqual(other.hash, set.hash, 'a fresh salt per password');
      await store.setPassword('a', 'a brand new password', 't');
      assert.equal(await verifyPassword('a brand new password', store.password('a')!.hash), true);
      assert.equal(await verifyPassword('correct horse battery', store.password('a')!.hash), false, 'the old one no longer works');
    });

    withStore('removePassword removes it once; password changes are audited without the password or its hash', async (store) => {
      const set = await store.setPassword('a', 'first password', 'cli:alice');
      await store.setPassword('a', 'second password', 'admin-api');
      await store.removePassword('a', 'cli:bob');
      assert.equal(store.password('a'), undefined);
      await rejectsWith(store.removePassword('a', 't'), 'not_found', /has no password/);
      const audit = await store.listAudit({ keyId: 'password:a' });
      assert.deepEqual(
        audit.map((e) => [e.action, e.consumer, e.actor, e.details]),
        [
          ['remove_password', 'a', 'cli:bob', {}],
          ['set_password', 'a', 'admin-api', { replaced: true }],
          ['set_password', 'a', 'cli:alice', { replaced: false }],
        ],
      );
      const text = JSON.stringify(audit);
      assert.ok(!text.includes('first password') && !text.includes(set.hash.split('$')[5]));
    });

    withStore('a closed store refuses management calls', async (store) => {
      await store.close();
      await assert.rejects(store.listKeys(), /closed/);
      await assert.rejects(store.setPassword('a', 'some password', 't'), /closed/);
      await store.close();
    });
  });
}
