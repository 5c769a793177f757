// `pinpoint start`: the command's flags and help; its work is in ./actions/start.ts (see main.ts).
import { Command } from 'commander';
import { parsePort } from './option-parsers.ts';

export interface StartCliOptions {
  config: string;
  port?: number;
  adminPort?: number;
}

export function startCommand(): Command {
  return new Command('start')
    .description('Run the gateway (and its admin API) from a config file; stops cleanly on Ctrl-C or SIGTERM')
    .requiredOption('-c, --config <file>', 'the YAML config file')
    .option('--port <n>', 'listen on this port instead of gateway.listen.port (0 picks a free one)', parsePort)
    .option('--admin-port <n>', 'admin API port instead of admin.listen.port', parsePort)
    .action(async (opts: StartCliOptions) => (await import('./actions/start.ts')).runStart(opts));
}
