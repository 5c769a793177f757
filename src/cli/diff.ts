// `pinpoint diff`: the command's flags and help; its work is in ./actions/diff.ts (see main.ts).
import { Command } from 'commander';

export interface DiffOptions {
  config?: string;
  db?: string;
  peer: string;
  json?: boolean;
}

export function diffCommand(): Command {
  return new Command('diff')
    .description('Why does theirs pass and mine fail: the differences between two requests that matter to the decision, and the first layer where they part')
    .argument('<a>', 'a request id from the call log, or a file with a curl command, HAR or raw HTTP message')
    .argument('<b>', 'the other request, given the same way')
    .option('-c, --config <file>', 'the gateway\'s config: its call log, its credential store (keys\' scopes and status), and the pipeline that decides pasted requests')
    .option('--db <file>', 'the call log SQLite file')
    .option('--peer <address>', 'for pasted requests: the address they come from', '127.0.0.1')
    .option('--json', 'print the report as JSON')
    .action(async (a: string, b: string, opts: DiffOptions) => (await import('./actions/diff.ts')).runDiff(a, b, opts));
}
