import pg from 'pg';

/** SQLSTATE classes that mean "the database cannot serve you now", not "your statement is wrong". */
const UNAVAILABLE_CLASSES = new Set([
  '08', // connection exception
  '53', // insufficient resources (too many connections, disk full)
  '57', // operator intervention: admin shutdown, crash, cannot connect now, statement timeout
  '58', // system error (I/O)
]);

/** node-postgres' own words for a connection that failed, ended or timed out (these carry no code). */
const CONNECTION_WORDS = /connect|terminated|timeout|not queryable|ended|closed/i;

/** Whether an error means PostgreSQL cannot be reached (as opposed to a refused statement). */
export function isUnavailable(err: unknown): boolean {
  if (err instanceof pg.DatabaseError) return err.code !== undefined && UNAVAILABLE_CLASSES.has(err.code.slice(0, 2));
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  // A system error from the socket: ECONNREFUSED, ECONNRESET, ETIMEDOUT, EPIPE, ENOTFOUND...
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return true;
  return code === undefined && CONNECTION_WORDS.test(err.message);
}
