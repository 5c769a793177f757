// The contract every ownership store backend passes. A backend's test file calls
// ownerStoreContract with a factory that opens a fresh, empty store (see owners-sqlite.test.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { OwnerStore } from './owners.ts';
import { StoreError } from './types.ts';

export interface OpenedOwnerStore {
  store: OwnerStore;
  /** Closes the store and removes what the factory created. */
  cleanup(): Promise<void>;
}

const created = { requestId: 'req_1', route: 'orders-create' };

export function ownerStoreContract(backend: string, open: () => Promise<OpenedOwnerStore>): void {
  const withStore = (name: string, fn: (store: OwnerStore) => Promise<void>) =>
    test(`${backend}: ${name}`, async () => {
      const { store, cleanup } = await open();
      try {
        await fn(store);
      } finally {
        await cleanup();
      }
    });

  describe(`ownership store contract (${backend})`, () => {
    withStore('a resource without a record has no owner', async (store) => {
      assert.equal(await store.getOwner('orders', 'o1'), undefined);
    });

    withStore('recordOwner stores who created a resource, with the request and route, and reads back exactly', async (store) => {
      const before = Date.now();
      const r = await store.recordOwner({ resource: 'orders', id: 'o1', consumer: 'alice', tenant: 'acme', ...created });
      assert.equal(r.outcome, 'created');
      const got = await store.getOwner('orders', 'o1');
      assert.deepEqual(got, r.record);
      assert.equal(got?.consumer, 'alice');
      assert.equal(got?.tenant, 'acme');
      assert.equal(got?.by, 'gateway');
      assert.equal(got?.requestId, 'req_1');
      assert.equal(got?.route, 'orders-create');
      assert.ok(got!.createdAt >= before && got!.updatedAt === got!.createdAt);
      assert.equal(await store.getOwner('orders', 'O1'), undefined, 'ids are compared exactly');
      assert.equal(await store.getOwner('invoices', 'o1'), undefined, 'per resource');
    });

    withStore('recordOwner never takes a resource from its owner: the same owner is unchanged, another is a conflict', async (store) => {
      await store.recordOwner({ resource: 'orders', id: 'o1', consumer: 'alice', tenant: 'acme', ...created });
      assert.equal((await store.recordOwner({ resource: 'orders', id: 'o1', consumer: 'alice', tenant: 'acme', ...created })).outcome, 'unchanged');
      const c = await store.recordOwner({ resource: 'orders', id: 'o1', consumer: 'mallory', tenant: 'evil', requestId: 'req_2', route: 'orders-create' });
      assert.equal(c.outcome, 'conflict');
      assert.equal(c.record.consumer, 'alice');
      assert.equal((await store.getOwner('orders', 'o1'))?.consumer, 'alice');
      assert.equal((await store.recordOwner({ resource: 'orders', id: 'o1', consumer: 'alice', tenant: 'other', ...created })).outcome, 'conflict', 'same name, other tenant');
    });

    withStore('setOwner replaces an owner and says which it replaced; both changes are audited, gateway records are not', async (store) => {
      await store.recordOwner({ resource: 'orders', id: 'o1', consumer: 'alice', tenant: 'acme', ...created });
      const first = await store.setOwner({ resource: 'orders', id: 'o1', consumer: 'bob', tenant: 'acme', actor: 'cli:ops' });
      assert.equal(first.record.consumer, 'bob');
      assert.equal(first.record.by, 'cli:ops');
      assert.equal(first.record.requestId, undefined, 'no longer the gateway\'s record');
      assert.equal(first.previous?.consumer, 'alice');
      const fresh = await store.setOwner({ resource: 'orders', id: 'o2', consumer: 'carol', actor: 'admin-api' });
      assert.equal(fresh.previous, undefined);
      assert.equal(fresh.record.tenant, undefined);
      const audit = await store.listOwnerAudit();
      assert.deepEqual(
        audit.map((a) => [a.action, a.actor, a.resource, a.resourceId, a.consumer]),
        [
          ['set_owner', 'admin-api', 'orders', 'o2', 'carol'],
          ['set_owner', 'cli:ops', 'orders', 'o1', 'bob'],
        ],
      );
      assert.deepEqual(audit[1].details, { tenant: 'acme', previous: { consumer: 'alice', tenant: 'acme' } });
    });

    withStore('deleteOwner removes a record (audited); deleting a missing one is not_found', async (store) => {
      await store.setOwner({ resource: 'orders', id: 'o1', consumer: 'alice', tenant: 'acme', actor: 'cli:ops' });
      const gone = await store.deleteOwner('orders', 'o1', 'admin-api');
      assert.equal(gone.consumer, 'alice');
      assert.equal(await store.getOwner('orders', 'o1'), undefined);
      await assert.rejects(store.deleteOwner('orders', 'o1', 'admin-api'), (err: unknown) => err instanceof StoreError && err.kind === 'not_found');
      const [last] = await store.listOwnerAudit({ limit: 1 });
      assert.deepEqual([last.action, last.consumer, last.details], ['delete_owner', 'alice', { tenant: 'acme' }]);
      assert.equal((await store.recordOwner({ resource: 'orders', id: 'o1', consumer: 'bob', tenant: 'acme', ...created })).outcome, 'created', 'a deleted record can be recorded anew');
    });

    withStore('listOwners filters by resource, consumer and tenant, ordered, limited', async (store) => {
      for (const [resource, id, consumer, tenant] of [['orders', 'b', 'alice', 'acme'], ['orders', 'a', 'bob', 'acme'], ['invoices', 'x', 'alice', 'acme'], ['orders', 'c', 'carol', 'globex']]) {
        await store.recordOwner({ resource, id, consumer, tenant, ...created });
      }
      const ids = (rs: { resource: string; id: string }[]) => rs.map((r) => `${r.resource}/${r.id}`);
      assert.deepEqual(ids(await store.listOwners()), ['invoices/x', 'orders/a', 'orders/b', 'orders/c']);
      assert.deepEqual(ids(await store.listOwners({ resource: 'orders' })), ['orders/a', 'orders/b', 'orders/c']);
      assert.deepEqual(ids(await store.listOwners({ consumer: 'alice' })), ['invoices/x', 'orders/b']);
      assert.deepEqual(ids(await store.listOwners({ tenant: 'globex' })), ['orders/c']);
      assert.deepEqual(ids(await store.listOwners({ limit: 2 })), ['invoices/x', 'orders/a']);
    });

    withStore('ids are stored as given: spaces, unicode, slashes-free ids that look alike stay apart', async (store) => {
      for (const id of ['a b', 'ä', 'a%20b', 'A']) await store.recordOwner({ resource: 'orders', id, consumer: `c-${id}`, ...created });
      for (const id of ['a b', 'ä', 'a%20b', 'A']) assert.equal((await store.getOwner('orders', id))?.consumer, `c-${id}`);
      assert.equal(await store.getOwner('orders', 'a'), undefined);
    });

    withStore('a resource name or id that cannot be one is refused, nothing stored', async (store) => {
      await assert.rejects(store.recordOwner({ resource: 'or ders', id: 'o1', consumer: 'alice', ...created }), /not a name/);
      await assert.rejects(store.setOwner({ resource: 'orders', id: '', consumer: 'alice', actor: 'x' }), /1 to 512 characters/);
      await assert.rejects(store.setOwner({ resource: 'orders', id: 'a\nb', consumer: 'alice', actor: 'x' }), /control characters/);
      assert.deepEqual(await store.listOwners(), []);
      assert.deepEqual(await store.listOwnerAudit(), []);
    });
  });
}
