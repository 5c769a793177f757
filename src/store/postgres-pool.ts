import pg from 'pg';
import { parseIntoClientConfig } from 'pg-connection-string';
import { isUnavailable } from './postgres-errors.ts';
import { describeTarget } from './postgres-target.ts';
import { StoreError, StoreOpenError, StoreUnavailableError } from './types.ts';

/** Where a store's PostgreSQL database is and how to talk to it (config `store`). */
export interface PostgresConnectionOptions {
  /** postgres://user@host:port/database (a password in it works, passwordEnv is better). */
  url: string;
  /** Overrides the URL's password. */
  password?: string;
  /** Schema of the tables, created on open. Default "pinpoint". */
  schema?: string;
  /** Pooled connections. Default 4. */
  poolSize?: number;
  connectTimeoutMs?: number;
  /** Longest wait for one statement (client and server side). Default 10 s. */
  queryTimeoutMs?: number;
  /** application_name of the connections (pg_stat_activity shows it). Default: the URL's, else "pinpoint". */
  applicationName?: string;
}

/** The connection settings: the URL's, with the password from the environment set apart (a URL password is left as it is). */
export function clientConfig(opts: PostgresConnectionOptions): pg.ClientConfig {
  const fromUrl = parseIntoClientConfig(opts.url);
  const timeout = opts.queryTimeoutMs ?? 10_000;
  return {
    ...fromUrl,
    ...(opts.password !== undefined ? { password: opts.password } : {}),
    application_name: opts.applicationName ?? fromUrl.application_name ?? 'pinpoint',
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 5000,
    query_timeout: timeout,
    statement_timeout: timeout,
    // A dead peer (a cut network, no FIN) is noticed by TCP keepalive, not only by the next query.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  };
}

export interface StoreKind {
  /** "credential store", "ownership store": how messages name it. */
  name: string;
  /** What a StoreUnavailableError adds: what still works meanwhile. */
  meanwhile: string;
  /** A connection was found lost: an idle one died (server restart, pg_terminate_backend) or a call failed. */
  unreachable(err: Error): void;
}

/** A pool of connections to one store's database, and the few ways the stores use it. */
export class StorePool {
  readonly pool: pg.Pool;
  readonly schema: string;
  /** Where the store lives, for messages (never the password). */
  readonly target: string;

  constructor(
    opts: PostgresConnectionOptions,
    private readonly kind: StoreKind,
  ) {
    this.schema = opts.schema ?? 'pinpoint';
    this.target = describeTarget(opts.url, this.schema);
    this.pool = new pg.Pool({ ...clientConfig(opts), max: opts.poolSize ?? 4, idleTimeoutMillis: 30_000 });
    // Without a handler an idle connection's error would end the process; the pool drops it.
    this.pool.on('error', (err) => kind.unreachable(err));
  }

  /**
   * Runs `work` on one pooled connection. After any failure but a StoreError (a refusal, rolled
   * back) the connection is dropped, not handed to the next caller mid-transaction. Its error
   * events are heard while it is checked out: the pool listens only while it is idle, and an
   * unheard 'error' would end the process.
   */
  async withClient<T>(work: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    const onError = (err: Error) => (broken ??= err);
    client.on('error', onError);
    try {
      return await work(client);
    } catch (err) {
      if (!(err instanceof StoreError)) broken ??= err as Error;
      throw err;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  /** `work` in one transaction: committed when it returns, rolled back when it throws. */
  transaction<T>(work: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.withClient(async (c) => {
      await c.query('BEGIN');
      try {
        const out = await work(c);
        await c.query('COMMIT');
        return out;
      } catch (err) {
        // A refusal keeps the connection, clean; any other failure drops it (and with it the transaction).
        if (err instanceof StoreError) await c.query('ROLLBACK');
        throw err;
      }
    });
  }

  /**
   * Runs a management call; a failure to reach the database becomes a StoreUnavailableError (the
   * admin API's 503). Refusals and other errors pass as they are.
   */
  async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (err instanceof StoreError || !isUnavailable(err)) throw err;
      this.kind.unreachable(err as Error);
      throw new StoreUnavailableError(`The ${this.kind.name} in ${this.target} cannot be reached: ${(err as Error).message}. ${this.kind.meanwhile}`, { cause: err });
    }
  }

  /** The error that refuses to open the store when its database cannot be reached or used. */
  openRefusal(err: unknown): StoreOpenError {
    const why = isUnavailable(err) ? 'cannot be reached' : 'cannot be used';
    return new StoreOpenError(
      `Cannot open the ${this.kind.name}: ${this.target} ${why}: ${(err as Error).message}. ` +
        'Pinpoint does not start without it. Start PostgreSQL or fix store.url / store.passwordEnv (or use a SQLite file: store.backend sqlite).',
      { cause: err },
    );
  }

  end(): Promise<void> {
    return this.pool.end();
  }
}
