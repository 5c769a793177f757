// The PostgreSQL credential store against the real server on 127.0.0.1:5432 (database test), each
// store in a schema of its own, dropped at the end.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, test } from 'node:test';
import pg from 'pg';
import { PG_URL, pgSchemas, terminateBackends } from '../../test/helpers/postgres.ts';
import { startTcpRelay } from '../../test/helpers/tcp-relay.ts';
import { storeContract } from './contract.ts';
import { openPostgresStore, type PostgresStoreOptions } from './postgres.ts';
import { PG_STORE_SCHEMA_VERSION } from './postgres-schema.ts';
import { StoreOpenError, StoreUnavailableError, type CredentialStore } from './types.ts';

const schemas = pgSchemas();
after(() => schemas.cleanup());

/** Opens a store; what it reports goes to `reports` instead of stderr. */
function open(schema: string, opts: Partial<PostgresStoreOptions> = {}, reports: string[] = []): Promise<CredentialStore> {
  return openPostgresStore({ url: PG_URL, schema, report: (m) => reports.push(m), ...opts });
}

storeContract('postgres', async () => {
  const store = await open(schemas.fresh());
  return { store, cleanup: () => store.close() };
});

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  while (!(await check())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - t0;
}

/** A bound for "promptly" on a loaded 2-core machine (a notification takes milliseconds), not a speed target. */
const PROMPTLY_MS = 3000;

const table = (schema: string, name: string) => `${pg.escapeIdentifier(schema)}.${name}`;

test('postgres: the database holds the hash only, never the plain key or its secret, nor a password', async () => {
  const schema = schemas.fresh();
  const store = await open(schema);
  try {
    const issued = [await store.createKey({ consumer: 'a', scopes: ['r'], actor: 't' })];
    issued.push(await store.rotateKey(issued[0].record.id, { overlapMs: 1000, actor: 't' }));
    await store.revokeKey(issued[1].record.id, 'test', 't');
    await store.setPassword('a', 'a long password', 't');
    const dump = async () =>
      (
        await Promise.all(
          ['api_keys', 'audit_log', 'passwords'].map((t) => schemas.query<{ row: string }>(`SELECT t::text AS row FROM ${table(schema, t)} t`)),
        )
      )
        .flatMap((r) => r.rows.map((x) => x.row))
        .join('\n');
    const all = await dump();
    assert.ok(!all.includes('a long password'), 'the password is not stored');
    for (const { key, record } of issued) {
      assert.ok(all.includes(record.id), 'the public id is stored (the search below can find text)');
      assert.ok(all.includes(record.hash.toString('hex')), 'the hash is stored');
      assert.ok(!all.includes(key), 'the plain key is not stored');
      assert.ok(!all.includes(key.slice(13, 45)), 'the secret part is not stored');
    }
  } finally {
    await store.close();
  }
});

test('postgres: a change made on one node reaches the other through NOTIFY, without waiting for the refresh', async () => {
  const schema = schemas.fresh();
  // A refresh far beyond the wait below: only a notification can deliver in time.
  const a = await open(schema, { refreshMs: 600_000 });
  const b = await open(schema, { refreshMs: 600_000 });
  try {
    const { record } = await a.createKey({ consumer: 'a', scopes: ['r'], actor: 'admin-api' });
    await until(() => b.get(record.id) !== undefined, PROMPTLY_MS);
    const r = await a.rotateKey(record.id, { overlapMs: 5000, actor: 'admin-api' });
    await a.revokeKey(r.record.id, 'leaked', 'admin-api');
    await until(() => b.get(r.record.id)?.status === 'revoked', PROMPTLY_MS);
    assert.equal(b.get(record.id)?.expiresAt, r.previous.expiresAt);
    assert.equal(b.get(r.record.id)?.revokedReason, 'leaked');
    const set = await b.setPassword('c', 'a long password', 'cli:alice');
    await until(() => a.password('c')?.hash === set.hash, PROMPTLY_MS);
    await b.removePassword('c', 'cli:alice');
    await until(() => a.password('c') === undefined, PROMPTLY_MS);
    // Interleaved changes of both nodes, and both audit logs are the one log.
    const [x, y] = await Promise.all([a.createKey({ consumer: 'x', scopes: [], actor: 'a' }), b.createKey({ consumer: 'y', scopes: [], actor: 'b' })]);
    await until(() => a.get(y.record.id) !== undefined && b.get(x.record.id) !== undefined, PROMPTLY_MS);
    assert.deepEqual(await a.listAudit(), await b.listAudit());
  } finally {
    await a.close();
    await b.close();
  }
});

test('postgres: a change whose notification was lost arrives with the refresh (the safety net)', async () => {
  const schema = schemas.fresh();
  const store = await open(schema, { refreshMs: 200 });
  try {
    const { record } = await store.createKey({ consumer: 'a', scopes: [], actor: 't' });
    // A revocation written the way the store writes one, but without NOTIFY.
    await schemas.query(
      `WITH s AS (UPDATE ${table(schema, 'meta')} SET change_seq = change_seq + 1 RETURNING change_seq)
       UPDATE ${table(schema, 'api_keys')} SET status = 'revoked', revoked_at = 1, revoked_reason = 'by hand', seq = (SELECT change_seq FROM s) WHERE id = $1`,
      [record.id],
    );
    assert.equal(store.get(record.id)?.status, 'active', 'nothing was notified');
    await until(() => store.get(record.id)?.status === 'revoked', 3000);
  } finally {
    await store.close();
  }
});

test('postgres: when the server ends the connections, the listener reconnects and changes flow again', async () => {
  const schema = schemas.fresh();
  const reports: string[] = [];
  const a = await open(schema, { refreshMs: 600_000 });
  const b = await open(schema, { refreshMs: 600_000, applicationName: `pinpoint-test-${schema}`, reconnectMaxMs: 200 }, reports);
  try {
    const { record } = await a.createKey({ consumer: 'a', scopes: [], actor: 't' });
    await until(() => b.get(record.id) !== undefined, PROMPTLY_MS);
    assert.ok((await terminateBackends(schemas, `pinpoint-test-${schema}`)) >= 1, 'the listener and pooled connections were ended');
    assert.equal(b.get(record.id)?.status, 'active', 'the index is still served');
    await a.revokeKey(record.id, 'gone', 't');
    await until(() => b.get(record.id)?.status === 'revoked', 5000);
    await until(() => reports.some((m) => /reachable again/.test(m)), 5000);
    assert.match(reports.join('\n'), /cannot be reached .*serving the 1 keys/);
    // And b writes again.
    const later = await b.createKey({ consumer: 'a', scopes: [], actor: 't' });
    await until(() => a.get(later.record.id) !== undefined, PROMPTLY_MS);
  } finally {
    await a.close();
    await b.close();
  }
});

test('postgres: while the database is away the index keeps serving, changes are refused as unavailable, and all resumes when it is back', async () => {
  const schema = schemas.fresh();
  const relay = await startTcpRelay(5432);
  const reports: string[] = [];
  const direct = await open(schema, { refreshMs: 600_000 });
  const node = await open(schema, { url: `postgres://postgres@127.0.0.1:${relay.port}/test`, refreshMs: 300, reconnectMaxMs: 200, connectTimeoutMs: 1000 }, reports);
  try {
    const kept = await node.createKey({ consumer: 'a', scopes: [], actor: 't' });
    const doomed = await node.createKey({ consumer: 'a', scopes: [], actor: 't' });
    await relay.cut();
    await until(() => reports.some((m) => /cannot be reached/.test(m)), 3000);
    assert.equal(node.get(kept.record.id)?.status, 'active', 'known keys are still served');
    await assert.rejects(node.createKey({ consumer: 'a', scopes: [], actor: 't' }), (err: unknown) => err instanceof StoreUnavailableError && /cannot be reached/.test(err.message) && /127\.0\.0\.1/.test(err.message));
    await assert.rejects(node.revokeKey(kept.record.id, 'x', 't'), StoreUnavailableError);
    await assert.rejects(node.setPassword('a', 'a long password', 't'), StoreUnavailableError);
    await assert.rejects(node.listKeys(), StoreUnavailableError);
    node.touch(kept.record.id, 1_900_000_000_000);
    // Meanwhile another node revokes a key: it reaches this one once the database is back.
    await direct.revokeKey(doomed.record.id, 'revoked during the outage', 't');
    assert.equal(node.get(doomed.record.id)?.status, 'active', 'a cut-off node cannot know yet');
    await relay.restore();
    await until(() => node.get(doomed.record.id)?.status === 'revoked', 5000);
    await until(() => reports.some((m) => /reachable again/.test(m)), 5000);
    assert.equal(reports.filter((m) => /cannot be reached/.test(m)).length, 1, `the outage is reported once:\n${reports.join('\n')}`);
    await until(async () => (await direct.getKey(kept.record.id))?.lastUsedAt === 1_900_000_000_000, 5000);
    const after = await node.createKey({ consumer: 'a', scopes: [], actor: 't' });
    assert.ok(node.get(after.record.id));
  } finally {
    await relay.restore();
    await node.close();
    await direct.close();
    await relay.close();
  }
});

test('postgres: last-used times are batched on a timer, never moved back by another node, and flushed on close', async () => {
  const schema = schemas.fresh();
  const a = await open(schema, { touchFlushMs: 200 });
  const b = await open(schema, { touchFlushMs: 200 });
  const lastUsed = async (id: string) => (await schemas.query<{ t: string | null }>(`SELECT last_used_at AS t FROM ${table(schema, 'api_keys')} WHERE id = $1`, [id])).rows[0].t;
  try {
    const { record } = await a.createKey({ consumer: 'a', scopes: [], actor: 't' });
    for (let i = 1; i <= 1000; i++) a.touch(record.id, 1_700_000_000_000 + i);
    assert.equal(await lastUsed(record.id), null, 'a touch writes nothing by itself');
    await until(async () => (await lastUsed(record.id)) !== null, PROMPTLY_MS);
    assert.equal(await lastUsed(record.id), '1700000001000', 'one write carried the latest of the batch');
    b.touch(record.id, 1_600_000_000_000);
    await b.flush();
    assert.equal(await lastUsed(record.id), '1700000001000', 'an older use on another node does not move it back');
    a.touch(record.id, 1_800_000_000_000);
    await a.close();
    assert.equal(await lastUsed(record.id), '1800000000000', 'close writes what is pending');
  } finally {
    await a.close();
    await b.close();
  }
});

test('postgres: nodes starting together create the schema once; a newer schema version is refused, not misread', async () => {
  const schema = schemas.fresh();
  const stores = await Promise.all([open(schema), open(schema), open(schema)]);
  await Promise.all(stores.map((s) => s.close()));
  const { rows } = await schemas.query<{ schema_version: number }>(`SELECT schema_version FROM ${table(schema, 'meta')}`);
  assert.deepEqual(rows, [{ schema_version: PG_STORE_SCHEMA_VERSION }]);
  await schemas.query(`UPDATE ${table(schema, 'meta')} SET schema_version = $1`, [PG_STORE_SCHEMA_VERSION + 1]);
  await assert.rejects(open(schema), (err: unknown) => err instanceof StoreOpenError && new RegExp(`schema version ${PG_STORE_SCHEMA_VERSION + 1} is newer`).test(err.message));
});

test('postgres: a database that cannot be reached at start is refused with a clear message, without the password', async () => {
  const closed = createServer();
  const port = await new Promise<number>((resolve) => closed.listen(0, '127.0.0.1', () => resolve((closed.address() as { port: number }).port)));
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const t0 = Date.now();
  await assert.rejects(
    openPostgresStore({ url: `postgres://pinpoint:url-secret@127.0.0.1:${port}/test`, password: 'env-secret', schema: 'pinpoint', report: () => {} }),
    (err: unknown) => {
      assert.ok(err instanceof StoreOpenError);
      assert.match(err.message, new RegExp(`Cannot open the credential store: PostgreSQL postgres://pinpoint@127\\.0\\.0\\.1:${port}/test \\(schema pinpoint\\) cannot be reached: .*ECONNREFUSED`));
      assert.match(err.message, /does not start without it/);
      assert.ok(!err.message.includes('secret'), err.message);
      return true;
    },
  );
  assert.ok(Date.now() - t0 < 30_000, 'a bound for a hung connect, not a speed test');
});
