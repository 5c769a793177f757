import { Command } from 'commander';
import { renderShadowReport, shadowReport } from '../explain/shadow-report.ts';
import { CliError } from './errors.ts';
import { logFileFrom, openLogReader } from './log-source.ts';
import { parseSince } from './option-parsers.ts';

export function shadowCommand(): Command {
  const shadow = new Command('shadow').description('Shadow mode (shadow.config): a candidate policy decides beside the enforced one, report-only');
  shadow
    .command('report')
    .description('What the shadow candidate would newly deny (or allow), grouped by code, route and consumer, with example request ids')
    .option('-c, --config <file>', "the gateway's config (its log.file is read)")
    .option('--db <file>', 'the call log SQLite file')
    .option('--since <when>', 'how far back: 30m, 24h, 7d or an ISO time', '24h')
    .option('--json', 'print the report as JSON')
    .action((opts: { config?: string; db?: string; since: string; json?: boolean }) => {
      let since: number;
      try {
        since = parseSince(opts.since);
      } catch (err) {
        throw new CliError((err as Error).message);
      }
      const reader = openLogReader(logFileFrom(opts));
      try {
        const report = shadowReport(reader, since);
        process.stdout.write(opts.json ? JSON.stringify(report, null, 2) + '\n' : renderShadowReport(report));
      } finally {
        reader.close();
      }
    });
  return shadow;
}
