import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { ConfigError, loadConfigFile } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { openConfiguredStore, StoreOpenError, type CredentialStore } from '../store/index.ts';
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
  const path = configPath ?? (existsSync(DEFAULT_CONFIG) ? DEFAULT_CONFIG : undefined);
  if (!path) throw new CliError(`Which gateway? Give -c FILE (the gateway's config); there is no ./${DEFAULT_CONFIG}.`);
  let config: Config;
  try {
    config = loadConfigFile(path).config;
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(`${err.message}\nKey management needs a valid config (it checks consumers against it): see pinpoint validate -c ${path}`);
    throw err;
  }
  try {
    return { config, store: await openConfiguredStore(config, path, { watch: false }) };
  } catch (err) {
    if (err instanceof StoreOpenError) throw new CliError(err.message);
    throw err;
  }
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
