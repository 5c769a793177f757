// The PostgreSQL ownership store against the real server on 127.0.0.1:5432 (database test), each
// store in a schema of its own, dropped at the end.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import pg from 'pg';
import { PG_URL, pgSchemas } from '../../test/helpers/postgres.ts';
import { startTcpRelay } from '../../test/helpers/tcp-relay.ts';
import { ownerStoreContract } from './owners-contract.ts';
import { openPostgresOwnerStore } from './postgres-owners.ts';
import { openPostgresStore } from './postgres.ts';
import { PG_STORE_SCHEMA_VERSION } from './postgres-schema.ts';
import { StoreUnavailableError } from './types.ts';

const schemas = pgSchemas();
after(() => schemas.cleanup());

ownerStoreContract('postgres', async () => {
  const store = await openPostgresOwnerStore({ url: PG_URL, schema: schemas.fresh(), report: () => {} });
  return { store, cleanup: () => store.close() };
});

const table = (schema: string, name: string) => `${pg.escapeIdentifier(schema)}.${name}`;

test('postgres owners: the records live beside the credentials, one schema version; two nodes see each other\'s records', async () => {
  const schema = schemas.fresh();
  const keys = await openPostgresStore({ url: PG_URL, schema, report: () => {} });
  const a = await openPostgresOwnerStore({ url: PG_URL, schema });
  const b = await openPostgresOwnerStore({ url: PG_URL, schema });
  try {
    await keys.createKey({ consumer: 'alice', scopes: [], actor: 't' });
    assert.equal((await a.recordOwner({ resource: 'orders', id: 'o1', consumer: 'alice', tenant: 'acme', requestId: 'r1', route: 'create' })).outcome, 'created');
    assert.equal((await b.getOwner('orders', 'o1'))?.consumer, 'alice');
    assert.equal((await b.recordOwner({ resource: 'orders', id: 'o1', consumer: 'mallory', requestId: 'r2', route: 'create' })).outcome, 'conflict', 'another node never takes it over');
    const { rows } = await schemas.query<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name', [schema]);
    assert.deepEqual(rows.map((r) => r.table_name), ['api_keys', 'audit_log', 'meta', 'passwords', 'resource_owner_audit', 'resource_owners']);
    const meta = await schemas.query<{ schema_version: number }>(`SELECT schema_version FROM ${table(schema, 'meta')}`);
    assert.equal(meta.rows[0].schema_version, PG_STORE_SCHEMA_VERSION);
  } finally {
    await Promise.all([keys.close(), a.close(), b.close()]);
  }
});

test('postgres owners: racing gateway records of one new resource: exactly one is created, the others see it', async () => {
  const schema = schemas.fresh();
  const nodes = await Promise.all([0, 1, 2].map(() => openPostgresOwnerStore({ url: PG_URL, schema })));
  try {
    const outcomes = await Promise.all(
      nodes.flatMap((n, i) => [0, 1].map((j) => n.recordOwner({ resource: 'orders', id: 'race', consumer: `c${(i + j) % 2}`, requestId: `r${i}${j}`, route: 'create' }))),
    );
    assert.equal(outcomes.filter((o) => o.outcome === 'created').length, 1);
    const owner = (await nodes[0].getOwner('orders', 'race'))!.consumer;
    for (const o of outcomes) assert.equal(o.record.consumer, owner, 'every answer names the one owner');
  } finally {
    await Promise.all(nodes.map((n) => n.close()));
  }
});

test('postgres owners: a credential schema of version 1 is migrated: its keys stay and the owner tables are added', async () => {
  const schema = schemas.fresh();
  const keys = await openPostgresStore({ url: PG_URL, schema, report: () => {} });
  const { record } = await keys.createKey({ consumer: 'alice', scopes: [], actor: 't' });
  await keys.close();
  await schemas.query(`DROP TABLE ${table(schema, 'resource_owners')}, ${table(schema, 'resource_owner_audit')}`);
  await schemas.query(`UPDATE ${table(schema, 'meta')} SET schema_version = 1`);
  const owners = await openPostgresOwnerStore({ url: PG_URL, schema });
  const again = await openPostgresStore({ url: PG_URL, schema, report: () => {} });
  try {
    assert.equal((await owners.setOwner({ resource: 'orders', id: 'o1', consumer: 'alice', actor: 't' })).record.consumer, 'alice');
    assert.equal(again.get(record.id)?.consumer, 'alice');
    const meta = await schemas.query<{ schema_version: number }>(`SELECT schema_version FROM ${table(schema, 'meta')}`);
    assert.equal(meta.rows[0].schema_version, PG_STORE_SCHEMA_VERSION);
  } finally {
    await owners.close();
    await again.close();
  }
});

test('postgres owners: while the database is away calls fail as unavailable (reported once), and work again when it is back', async () => {
  const schema = schemas.fresh();
  const relay = await startTcpRelay(5432);
  const reports: string[] = [];
  const owners = await openPostgresOwnerStore({ url: `postgres://postgres@127.0.0.1:${relay.port}/test`, schema, connectTimeoutMs: 1000, report: (m) => reports.push(m) });
  try {
    await owners.setOwner({ resource: 'orders', id: 'o1', consumer: 'alice', actor: 't' });
    await relay.cut();
    await assert.rejects(owners.getOwner('orders', 'o1'), (err: unknown) => err instanceof StoreUnavailableError && /^The ownership store in PostgreSQL .* cannot be reached/.test(err.message));
    await assert.rejects(owners.setOwner({ resource: 'orders', id: 'o2', consumer: 'bob', actor: 't' }), StoreUnavailableError);
    assert.equal(reports.filter((m) => /cannot be reached/.test(m)).length, 1, reports.join('\n'));
    await relay.restore();
    assert.equal((await owners.getOwner('orders', 'o1'))?.consumer, 'alice');
    assert.match(reports.join('\n'), /reachable again/);
  } finally {
    await relay.restore();
    await owners.close();
    await relay.close();
  }
});
