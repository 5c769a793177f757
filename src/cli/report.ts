import { existsSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { CallAggregates } from '../calllog/aggregate.ts';
import { renderReport } from '../report/render.ts';
import { buildReport, type Report } from '../report/report.ts';
import { callAdmin } from './admin-client.ts';
import { CliError } from './errors.ts';
import { logFileFrom } from './log-source.ts';
import { parsePositiveInt, parseSince } from './option-parsers.ts';

interface ReportCliOptions {
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

function fromFile(opts: ReportCliOptions, from: number, to: number): Report {
  const file = logFileFrom(opts);
  if (!existsSync(file)) throw new CliError(`No call log at ${file}. Has a gateway run with this config yet?`);
  const q = new CallAggregates(file);
  try {
    return buildReport(q, { from, to, buckets: opts.buckets, top: opts.top });
  } finally {
    q.close();
  }
}

async function fromAdmin(base: string, opts: ReportCliOptions, from: number, to: number): Promise<Report> {
  const query = new URLSearchParams({ since: String(from), until: String(to), buckets: String(opts.buckets), top: String(opts.top) });
  const { status, ok, text } = await callAdmin(base, 'report', { query });
  if (!ok) throw new CliError(`The admin API answered ${status}: ${text.slice(0, 500)}`);
  return JSON.parse(text) as Report;
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
    .action(async (opts: Omit<ReportCliOptions, 'since'> & { since?: number }) => {
      const to = opts.until ?? Date.now();
      const from = opts.since ?? to - 3_600_000;
      if (from >= to) throw new CliError('--since must be before --until');
      const options = { ...opts, since: from };
      const report = opts.admin ? await fromAdmin(opts.admin, options, from, to) : fromFile(options, from, to);
      process.stdout.write(opts.json ? JSON.stringify(report, null, 2) + '\n' : renderReport(report));
    });
}
