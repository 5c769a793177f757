// `pinpoint logs`: the command's flags and help; its work is in ./actions/logs.ts (see main.ts).
import { Command } from 'commander';
import type { LogFilter } from '../calllog/types.ts';
import { parseOutcome, parsePositiveInt, parseSince, parseStatus } from './option-parsers.ts';

/** The command's flags: the call log filters, plus where to read and how to print. */
export interface LogsOptions extends Pick<LogFilter, 'status' | 'code' | 'layer' | 'route' | 'consumer' | 'outcome' | 'model' | 'since'> {
  config?: string;
  db?: string;
  limit: number;
  follow?: boolean;
  json?: boolean;
}

export function logsCommand(): Command {
  return new Command('logs')
    .description('List calls from the call log, newest last; filter, or follow as they are written')
    .option('-c, --config <file>', "the gateway's config file (its log.file is read)")
    .option('--db <file>', 'the call log SQLite file')
    .option('--status <n>', 'only this HTTP status', parseStatus)
    .option('--code <code>', "only this code, or a prefix ending in '.' (route.)")
    .option('--layer <layer>', 'only denials by this layer')
    .option('--route <id>', 'only this route id')
    .option('--consumer <name>', 'only this consumer')
    .option('--outcome <outcome>', 'allow, deny or error', parseOutcome)
    .option('--model <alias>', 'only AI calls of this model alias')
    .option('--since <when>', 'only calls since 30s, 10m, 2h, 1d ago or an ISO time', (v) => parseSince(v))
    .option('--limit <n>', 'how many of the newest calls to list', parsePositiveInt, 100)
    .option('-f, --follow', 'keep printing new calls as they are written, until Ctrl-C')
    .option('--json', 'one JSON record per line')
    .action(async (opts: LogsOptions) => (await import('./actions/logs.ts')).runLogs(opts));
}
