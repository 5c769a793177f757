// `pinpoint why`: the command's flags and help; its work is in ./actions/why.ts (see main.ts).
import { Command } from 'commander';

export interface WhyOptions {
  config?: string;
  db?: string;
  admin?: string;
  json?: boolean;
}

export function whyCommand(): Command {
  return new Command('why')
    .description('Explain what refused (or allowed) one request: rule, evidence, fixes and the whole trace')
    .argument('<request-id>', 'the X-Request-Id the gateway answered with (a correlation id works too)')
    .option('-c, --config <file>', "the gateway's config file (its log.file is read)")
    .option('--db <file>', 'the call log SQLite file')
    .option('--admin <url>', 'ask a running gateway\'s admin API instead (token from $PINPOINT_ADMIN_TOKEN)')
    .option('--json', 'print the stored record as JSON')
    .action(async (id: string, opts: WhyOptions) => (await import('./actions/why.ts')).runWhy(id, opts));
}
