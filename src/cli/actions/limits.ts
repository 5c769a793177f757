// The work of `pinpoint limits suspensions|lift` (the commands are defined in ../limits.ts).
import { existsSync } from 'node:fs';
import { ConfigError, loadConfigFile } from '../../config/load.ts';
import type { Config } from '../../config/schema.ts';
import { suspensionKey } from '../../layers/limits/cells.ts';
import type { RedisBackend } from '../../layers/limits/redis-backend.ts';
import { CliError } from '../errors.ts';

const DEFAULT_CONFIG = 'pinpoint.yaml';

function loadLimitsConfig(path: string | undefined): Config {
  const file = path ?? (existsSync(DEFAULT_CONFIG) ? DEFAULT_CONFIG : undefined);
  if (!file) throw new CliError(`Which gateway? Give -c FILE (the gateway's config); there is no ./${DEFAULT_CONFIG}.`);
  try {
    return loadConfigFile(file).config;
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message);
    throw err;
  }
}

async function withRedis<T>(config: Config, run: (backend: RedisBackend) => Promise<T>): Promise<T> {
  if (config.limits.backend !== 'redis') {
    throw new CliError('This gateway uses limits.backend: memory: its suspensions live inside the gateway process. Restart the gateway to lift them.');
  }
  // Loaded here, not at the top: only a Redis backend needs the client.
  const { openRedisClient, redactRedisUrl, RedisBackend } = await import('../../layers/limits/redis-backend.ts');
  const r = config.limits.redis;
  const url = redactRedisUrl(r.url);
  let failure: string | undefined;
  const client = openRedisClient(
    { url: r.url, password: r.passwordEnv ? process.env[r.passwordEnv] : undefined, connectTimeoutMs: r.connectTimeoutMs, commandTimeoutMs: Math.max(r.commandTimeoutMs, 5000) },
    (m) => (failure ??= m),
  );
  try {
    await new Promise<void>((resolve, reject) => {
      client.once('ready', () => resolve());
      client.once('error', (err: Error) => reject(new CliError(`Cannot reach Redis at ${url}: ${err.message}`)));
    });
    return await run(new RedisBackend(client));
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`Redis at ${url}: ${failure ?? (err as Error).message}`);
  } finally {
    client.disconnect();
  }
}

export async function runSuspensions(opts: { config?: string; json?: boolean }): Promise<void> {
  const config = loadLimitsConfig(opts.config);
  const prefix = config.limits.redis.keyPrefix + 'suspended:';
  const found = await withRedis(config, (b) => b.suspensions(prefix));
  const rows = [...found].map(([key, rec]) => {
    const [what, name] = key.slice(prefix.length).split(':');
    return { what, name: decodeURIComponent(name ?? ''), since: new Date(rec.at).toISOString(), reason: rec.reason };
  });
  if (opts.json) process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
  else if (rows.length === 0) process.stdout.write('No consumer or tenant is suspended by the limits layer.\n');
  else for (const r of rows) process.stdout.write(`${r.what} ${r.name}  since ${r.since}  ${r.reason}\n`);
}

export async function runLift(what: string, name: string, opts: { config?: string }): Promise<void> {
  if (what !== 'consumer' && what !== 'tenant') throw new CliError(`Lift a consumer or a tenant, not "${what}".`);
  const config = loadLimitsConfig(opts.config);
  const key = suspensionKey(config.limits.redis.keyPrefix, what, name);
  const lifted = await withRedis(config, (b) => b.lift(key));
  if (!lifted) throw new CliError(`The ${what} ${name} is not suspended by the limits layer.`);
  process.stdout.write(`Lifted the suspension of ${what} ${name}; every node admits it again.\n`);
}
