import { dirname, resolve } from 'node:path';
import type { Config } from '../config/schema.ts';
import type { OwnerStore } from './owners.ts';
import { openOwnerStore } from './owners-sqlite.ts';
import type { PostgresConnectionOptions } from './postgres-pool.ts';
import { describeTarget } from './postgres-target.ts';
import { openStore } from './sqlite.ts';
import { StoreOpenError, type CredentialStore } from './types.ts';

export interface ConfiguredStoreOptions {
  /**
   * true for a gateway node: follow the changes other processes make (and write last-used times
   * on a timer). false for a one-off tool (the CLI, a dry run): read at open, write at close.
   */
  watch: boolean;
  /** Where background problems are reported (default: stderr). */
  report?(message: string): void;
  /** Read the password from here (default: process.env). */
  env?: NodeJS.ProcessEnv;
}

/** The store a config names: its SQLite file (beside the config file) or its PostgreSQL database. */
export async function openConfiguredStore(config: Config, configPath: string, opts: ConfiguredStoreOptions): Promise<CredentialStore> {
  const s = config.store;
  if (s.backend === 'postgres') {
    // Loaded only here: the driver costs ~80 ms of every start and CLI call on a SQLite setup.
    const { openPostgresStore } = await import('./postgres.ts');
    return openPostgresStore({ ...postgresConnection(config, opts.env, 'credential store'), refreshMs: s.refreshMs, watch: opts.watch, report: opts.report });
  }
  const file = storeFile(config, configPath);
  try {
    return opts.watch ? openStore(file, { report: opts.report }) : openStore(file, { refreshMs: 60_000, touchFlushMs: 60_000, report: opts.report });
  } catch (err) {
    throw new StoreOpenError(`Cannot open the credential store ${file}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * The ownership records of a config (src/store/owners.ts): tables of their own beside the
 * credentials, in the SQLite file or the PostgreSQL schema.
 */
export async function openConfiguredOwnerStore(config: Config, configPath: string, opts: { report?(message: string): void; env?: NodeJS.ProcessEnv } = {}): Promise<OwnerStore> {
  if (config.store.backend === 'postgres') return (await import('./postgres-owners.ts')).openPostgresOwnerStore({ ...postgresConnection(config, opts.env, 'ownership store'), report: opts.report });
  const file = storeFile(config, configPath);
  try {
    return openOwnerStore(file);
  } catch (err) {
    throw new StoreOpenError(`Cannot open the ownership store ${file}: ${(err as Error).message}`, { cause: err });
  }
}

function postgresConnection(config: Config, env: NodeJS.ProcessEnv = process.env, what: string): PostgresConnectionOptions {
  const s = config.store;
  const password = s.passwordEnv !== undefined ? env[s.passwordEnv] : undefined;
  if (s.passwordEnv !== undefined && !password) {
    throw new StoreOpenError(`Cannot open the ${what}: store.passwordEnv names ${s.passwordEnv}, which is not set. Set it to the PostgreSQL password.`);
  }
  return { url: s.url!, password, schema: s.schema, poolSize: s.poolSize, connectTimeoutMs: s.connectTimeoutMs, queryTimeoutMs: s.queryTimeoutMs };
}

/** The SQLite store file of a config: store.file resolved against the config file's directory. */
export function storeFile(config: Config, configPath: string): string {
  return resolve(dirname(resolve(configPath)), config.store.file);
}

/** Where a config's credentials live, for messages (never a password). */
export function describeStore(config: Config, configPath: string): string {
  return config.store.backend === 'postgres' ? describeTarget(config.store.url!, config.store.schema) : `SQLite file ${storeFile(config, configPath)}`;
}
