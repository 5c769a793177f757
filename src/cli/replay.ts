// `pinpoint replay`: the command's flags and help; its work is in ./actions/replay.ts (see main.ts).
import { Command } from 'commander';

export interface ReplayOptions {
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
    .action(async (opts: ReplayOptions) => (await import('./actions/replay.ts')).runReplay(opts));
}
