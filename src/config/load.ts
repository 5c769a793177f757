import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { compilePipeline } from '../pipeline/order.ts';
import type { Pipeline } from '../pipeline/pipeline.ts';
import { ConfigSchema, type Config } from './schema.ts';

export interface ConfigIssue {
  /** Path into the config, e.g. ['routes', 2, 'service']. */
  path: (string | number)[];
  message: string;
  line?: number;
  column?: number;
}

export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly issues: ConfigIssue[],
  ) {
    super(`${source}: ${issues.length} error(s) in config\n` + issues.map((i) => `  ${i.line ?? '?'}:${i.column ?? '?'} ${i.path.join('.')}: ${i.message}`).join('\n'));
  }
}

export interface LoadedConfig {
  config: Config;
  /** Hash of the parsed config: every decision records the revision it was made under. */
  revision: string;
  pipeline: Pipeline;
  source: string;
}

// Minimal version; replaced by the full loader with line numbers.
export function loadConfigText(text: string, source = '<config>'): LoadedConfig {
  const raw = parse(text);
  const parsed = ConfigSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    throw new ConfigError(source, parsed.error.issues.map((i) => ({ path: i.path as (string | number)[], message: i.message })));
  }
  const config = parsed.data;
  const revision = createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 12);
  return { config, revision, pipeline: compilePipeline(config), source };
}

export function loadConfigFile(file: string): LoadedConfig {
  return loadConfigText(readFileSync(file, 'utf8'), file);
}
