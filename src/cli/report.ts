// `pinpoint report`: the command's flags and help; its work is in ./actions/report.ts (see main.ts).
import { Command, InvalidArgumentError } from 'commander';
import { parsePositiveInt, parseSince } from './option-parsers.ts';

export interface ReportCliOptions {
  config?: string;
  db?: string;
  admin?: string;
  since: number;
  until?: number;
  buckets: number;
  top: number;
  json?: boolean;
}

function upTo(max: number) {
  return (value: string) => {
    const n = parsePositiveInt(value);
    if (n > max) throw new InvalidArgumentError(`at most ${max}`);
    return n;
  };
}

export function reportCommand(): Command {
  return new Command('report')
    .description('Denials over time by layer, code, route, consumer, tenant and client address, with the top movers against the previous period; AI calls by model alias and provider (calls, tokens, cost, time to first token, provider failures)')
    .option('-c, --config <file>', "the gateway's config file (its log.file is read)")
    .option('--db <file>', 'the call log SQLite file')
    .option('--admin <url>', "ask a running gateway's admin API instead (token from $PINPOINT_ADMIN_TOKEN)")
    .option('--since <when>', 'start of the period: 30m, 24h, 7d ago or an ISO time', (v) => parseSince(v), undefined)
    .option('--until <when>', 'end of the period (default now)', (v) => parseSince(v))
    .option('--buckets <n>', 'time buckets of the sparklines (at most 200)', upTo(200), 24)
    .option('--top <n>', 'rows per group and movers (at most 100)', upTo(100), 10)
    .option('--json', 'print the report as JSON')
    .action(async (opts: Omit<ReportCliOptions, 'since'> & { since?: number }) => (await import('./actions/report.ts')).runReport(opts));
}
