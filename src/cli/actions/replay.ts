// The work of `pinpoint replay` (the command is defined in ../replay.ts).
import { ConfigError } from '../../config/load.ts';
import { localTarget } from '../../explain/local-target.ts';
import { renderReplay, replay } from '../../explain/replay.ts';
import { CliError } from '../errors.ts';
import { logFileFrom, openLogReader } from '../log-source.ts';
import { parseSince } from '../option-parsers.ts';
import type { ReplayOptions } from '../replay.ts';

export async function runReplay(opts: ReplayOptions): Promise<void> {
  let since: number;
  try {
    since = parseSince(opts.since);
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  let local;
  let baseline;
  try {
    local = await localTarget(opts.config);
    baseline = opts.baseline ? await localTarget(opts.baseline) : undefined;
  } catch (err) {
    await local?.close();
    if (err instanceof ConfigError) throw new CliError(err.message);
    throw err;
  }
  const reader = openLogReader(logFileFrom({ config: opts.baseline ?? opts.config, db: opts.db }));
  try {
    const report = await replay(reader, local.target, { since, max: Number(opts.max), keys: local.store, baseline: baseline?.target });
    process.stdout.write(opts.json ? JSON.stringify(report, null, 2) + '\n' : renderReplay(report));
  } finally {
    reader.close();
    await local.close();
    await baseline?.close();
  }
}
