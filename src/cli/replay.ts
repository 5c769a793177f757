import { Command } from 'commander';
import { ConfigError } from '../config/load.ts';
import { localTarget } from '../explain/local-target.ts';
import { renderReplay, replay } from '../explain/replay.ts';
import { CliError } from './errors.ts';
import { logFileFrom, openLogReader } from './log-source.ts';
import { parseSince } from './option-parsers.ts';

interface ReplayOptions {
  config: string;
  baseline?: string;
  db?: string;
  since: string;
  max?: string;
  json?: boolean;
}

export function replayCommand(): Command {
  return new Command('replay')
    .description('Re-decide the logged traffic of a period under a candidate config (dry runs) and report the decisions that would change')
    .requiredOption('-c, --config <candidate>', 'the candidate config (its credential store gives keys\' scopes)')
    .option('--baseline <file>', 'the config in force: both are re-decided from the log, so only their difference shows (recommended; without it the candidate is compared with the logged decisions)')
    .option('--db <file>', 'the call log to replay (default: the baseline\'s log.file, else the candidate\'s)')
    .option('--since <when>', 'how far back: 30m, 24h, 7d or an ISO time', '24h')
    .option('--max <n>', 'replay at most this many entries', '100000')
    .option('--json', 'print the report as JSON')
    .action(async (opts: ReplayOptions) => {
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
    });
}
