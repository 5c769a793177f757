// Tests against the real local PostgreSQL (127.0.0.1:5432, trust auth, database test) keep their
// tables in schemas of their own, dropped when they end, so that test files running at once never
// see each other's keys.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const PG_URL = process.env.PINPOINT_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface PgSchemas {
  /** A new unique schema name ('pp_test_<random>'), dropped by cleanup(). */
  fresh(): string;
  /** Runs one statement as the test's own superuser connection (pg_terminate_backend, peeking at rows). */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<pg.QueryResult<R>>;
  /** Drops every schema handed out (CASCADE) and closes the connection. */
  cleanup(): Promise<void>;
}

export function pgSchemas(): PgSchemas {
  const schemas: string[] = [];
  const pool = new pg.Pool({ connectionString: PG_URL, max: 2, application_name: 'pinpoint-test-admin' });
  return {
    fresh() {
      const s = `pp_test_${randomBytes(6).toString('hex')}`;
      schemas.push(s);
      return s;
    },
    query: (sql, params) => pool.query(sql, params),
    async cleanup() {
      try {
        for (const s of schemas) await pool.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(s)} CASCADE`);
      } finally {
        await pool.end();
      }
    },
  };
}

/** Ends every server connection whose application_name is `name` (as a restart or a killed backend would). */
export async function terminateBackends(schemas: PgSchemas, name: string): Promise<number> {
  const { rows } = await schemas.query<{ n: string }>(
    'SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()',
    [name],
  );
  return Number(rows[0].n);
}
