// `pinpoint explain`: the command's flags and help; its work is in ./actions/explain.ts (see main.ts).
import { Command } from 'commander';

export interface ExplainCliOptions {
  config?: string;
  admin?: string;
  as?: string;
  peer?: string;
  harEntry?: string;
  json?: boolean;
  saveTest?: string;
}

export function explainCommand(): Command {
  return new Command('explain')
    .description('Dry-run a request through the gateway\'s pipeline: the decision, the trace, and the changes that would let it pass (tried, then marked proved)')
    .argument('[request]', 'a request id from the call log, a file holding a curl command, HAR or raw HTTP message, or - for stdin (the default)')
    .option('-c, --config <file>', 'decide with this config file (and its credential store); with --admin: a candidate config the running gateway compiles')
    .option('--admin <url>', 'ask a running gateway\'s admin API (token from $PINPOINT_ADMIN_TOKEN)')
    .option('--as <consumer>', 'what if this consumer sent it (taken as authenticated, with every scope: only its roles limit)')
    .option('--peer <address>', 'the address the request comes from, as the gateway would see it', '127.0.0.1')
    .option('--har-entry <n>', 'for a HAR file with several entries: which one (0-based)')
    .option('--json', 'print the report as JSON')
    .option('--save-test <file>', 'write the request and its decision as a regression case (test/regression/*.case.json)')
    .action(async (input: string | undefined, opts: ExplainCliOptions) => (await import('./actions/explain.ts')).runExplain(input, opts));
}
