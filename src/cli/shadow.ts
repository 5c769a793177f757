// `pinpoint shadow report`: the command's flags and help; its work is in ./actions/shadow.ts (see main.ts).
import { Command } from 'commander';

export interface ShadowReportOptions {
  config?: string;
  db?: string;
  since: string;
  json?: boolean;
}

export function shadowCommand(): Command {
  const shadow = new Command('shadow').description('Shadow mode (shadow.config): a candidate policy decides beside the enforced one, report-only');
  shadow
    .command('report')
    .description('What the shadow candidate would newly deny (or allow), grouped by code, route and consumer, with example request ids')
    .option('-c, --config <file>', "the gateway's config (its log.file is read)")
    .option('--db <file>', 'the call log SQLite file')
    .option('--since <when>', 'how far back: 30m, 24h, 7d or an ISO time', '24h')
    .option('--json', 'print the report as JSON')
    .action(async (opts: ShadowReportOptions) => (await import('./actions/shadow.ts')).runShadowReport(opts));
  return shadow;
}
