import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { ConfigError, loadConfigFile } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { openConfiguredStore, StoreError, StoreOpenError, StoreUnavailableError, type CredentialStore } from '../store/index.ts';
import { CliError } from './errors.ts';

const DEFAULT_CONFIG = 'pinpoint.yaml';

export interface StoreSource {
  config: Config;
  store: CredentialStore;
}

/**
 * Opens the credential store of a gateway's config (-c, else ./pinpoint.yaml): its SQLite file or
 * its PostgreSQL database. The config must load: key management checks consumers against it.
 * Running gateways see the changes within a second (they watch the file; PostgreSQL notifies them).
 */
export async function storeFromConfig(configPath: string | undefined): Promise<StoreSource> {
  const { path, config } = storeConfig(configPath, 'Key management needs a valid config (it checks consumers against it)');
  try {
    return { config, store: await openConfiguredStore(config, path, { watch: false }) };
  } catch (err) {
    if (err instanceof StoreOpenError) throw new CliError(err.message);
    throw err;
  }
}

/**
 * The config of the gateway whose store a command works on (-c, else ./pinpoint.yaml); it must load,
 * and `needs` says why when it does not.
 */
export function storeConfig(configPath: string | undefined, needs: string): { path: string; config: Config } {
  const path = configPath ?? (existsSync(DEFAULT_CONFIG) ? DEFAULT_CONFIG : undefined);
  if (!path) throw new CliError(`Which gateway? Give -c FILE (the gateway's config); there is no ./${DEFAULT_CONFIG}.`);
  try {
    return { path, config: loadConfigFile(path).config };
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(`${err.message}\n${needs}: see pinpoint validate -c ${path}`);
    throw err;
  }
}

/** A message as a sentence: capital first letter, full stop. */
export function sentence(message: string): string {
  return `${message.charAt(0).toUpperCase()}${message.slice(1)}.`;
}

/** A store's refusal (not found, conflict, database away) as one clear CLI line; any other error as it is. */
export function storeCliError(err: unknown): unknown {
  if (err instanceof StoreError) return new CliError(sentence(err.message));
  if (err instanceof StoreUnavailableError) return new CliError(err.message);
  return err;
}

/** Who the audit log names for a change made with the CLI. */
export function cliActor(): string {
  let name: string | undefined;
  try {
    name = userInfo().username;
  } catch {
    name = process.env.USER ?? process.env.USERNAME;
  }
  return `cli:${name || 'unknown'}`;
}
