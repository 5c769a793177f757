// The work of `pinpoint report` (the command is defined in ../report.ts).
import { existsSync } from 'node:fs';
import { CallAggregates } from '../../calllog/aggregate.ts';
import { renderReport } from '../../report/render.ts';
import { buildReport, type Report } from '../../report/report.ts';
import { callAdmin } from '../admin-client.ts';
import { CliError } from '../errors.ts';
import { logFileFrom } from '../log-source.ts';
import type { ReportCliOptions } from '../report.ts';

export async function runReport(opts: Omit<ReportCliOptions, 'since'> & { since?: number }): Promise<void> {
  const to = opts.until ?? Date.now();
  const from = opts.since ?? to - 3_600_000;
  if (from >= to) throw new CliError('--since must be before --until');
  const options = { ...opts, since: from };
  const report = opts.admin ? await fromAdmin(opts.admin, options, from, to) : fromFile(options, from, to);
  process.stdout.write(opts.json ? JSON.stringify(report, null, 2) + '\n' : renderReport(report));
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
