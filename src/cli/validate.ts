// `pinpoint validate`: the command's flags and help. Its work is in ./actions/validate.ts,
// loaded only when it runs (see main.ts).
import { Command } from 'commander';

export function validateCommand(): Command {
  return new Command('validate')
    .description('Check a config file; print every error with its line, column and field (exit code 1 when invalid)')
    .requiredOption('-c, --config <file>', 'the YAML config file')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { config: string; json?: boolean }) => (await import('./actions/validate.ts')).runValidate(opts));
}
