import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import { openCallLogReader } from '../calllog/index.ts';
import type { CallLogReader } from '../calllog/types.ts';
import { ConfigError, loadConfigFile } from '../config/load.ts';
import { ConfigSchema } from '../config/schema.ts';
import { CliError } from './errors.ts';

export interface LogSourceOptions {
  config?: string;
  db?: string;
}

const DEFAULT_CONFIG = 'pinpoint.yaml';

/**
 * The call log file to read: --db as given, else the config's `log.file` resolved against
 * the config file's directory (the way the gateway resolves it). Without either flag,
 * ./pinpoint.yaml is used when it exists.
 */
export function logFileFrom(opts: LogSourceOptions, warn: (m: string) => void = (m) => process.stderr.write(m + '\n')): string {
  if (opts.db) return resolve(opts.db);
  const configPath = opts.config ?? (existsSync(DEFAULT_CONFIG) ? DEFAULT_CONFIG : undefined);
  if (!configPath) throw new CliError(`Which call log? Give -c FILE (the gateway's config) or --db FILE (the SQLite file); there is no ./${DEFAULT_CONFIG}.`);
  const dir = dirname(resolve(configPath));
  try {
    return resolve(dir, loadConfigFile(configPath).config.log.file);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    // A broken config should not hide the log of the gateway that ran with the last good one.
    const file = rawLogFile(configPath);
    if (file === undefined) throw new CliError(err.message);
    warn(`warning: ${configPath} does not validate (see pinpoint validate -c ${configPath}); reading its log.file anyway`);
    return resolve(dir, file);
  }
}

function rawLogFile(configPath: string): string | undefined {
  try {
    const raw = parse(readFileSync(configPath, 'utf8')) as { log?: { file?: unknown } } | null;
    const file = raw?.log?.file;
    if (typeof file === 'string' && !file.includes('${')) return file;
    if (file === undefined) return ConfigSchema.parse({}).log.file;
    return undefined;
  } catch {
    return undefined;
  }
}

export function openLogReader(file: string): CallLogReader {
  if (!existsSync(file)) throw new CliError(`No call log at ${file}. Has a gateway run with this config yet?`);
  try {
    return openCallLogReader(file);
  } catch (err) {
    throw new CliError(`Cannot read the call log ${file}: ${(err as Error).message}`);
  }
}
