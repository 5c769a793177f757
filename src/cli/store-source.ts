import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, resolve } from 'node:path';
import { ConfigError, loadConfigFile } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { openStore, type CredentialStore } from '../store/index.ts';
import { CliError } from './errors.ts';

const DEFAULT_CONFIG = 'pinpoint.yaml';

export interface StoreSource {
  config: Config;
  /** The store file: the config's store.file, resolved against the config file's directory. */
  file: string;
  store: CredentialStore;
}

/**
 * Opens the credential store of a gateway's config (-c, else ./pinpoint.yaml). The config must
 * load: key management checks consumers against it. A running gateway sees the changes
 * within a second (it watches the file).
 */
export function storeFromConfig(configPath: string | undefined): StoreSource {
  const path = configPath ?? (existsSync(DEFAULT_CONFIG) ? DEFAULT_CONFIG : undefined);
  if (!path) throw new CliError(`Which gateway? Give -c FILE (the gateway's config); there is no ./${DEFAULT_CONFIG}.`);
  let config: Config;
  try {
    config = loadConfigFile(path).config;
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(`${err.message}\nKey management needs a valid config (it checks consumers against it): see pinpoint validate -c ${path}`);
    throw err;
  }
  const file = resolve(dirname(resolve(path)), config.store.file);
  try {
    return { config, file, store: openStore(file, { refreshMs: 60_000, touchFlushMs: 60_000 }) };
  } catch (err) {
    throw new CliError(`Cannot open the credential store ${file}: ${(err as Error).message}`);
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
