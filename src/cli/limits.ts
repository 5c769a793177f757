// `pinpoint limits suspensions|lift`: the suspensions the limits layer set when a consumer or
// tenant went over a quota with onExhausted: suspend. With backend: redis they are in Redis,
// shared by every node, and this command reads and lifts them there. With backend: memory they
// live inside the one gateway process, which no other process can reach: a restart lifts them.
// The commands' flags and help; their work is in ./actions/limits.ts (see main.ts).
import { Command } from 'commander';

export function limitsCommand(): Command {
  const cmd = new Command('limits').description('Suspensions set by quotas with onExhausted: suspend (Redis backend)');
  cmd
    .command('suspensions')
    .description('List the consumers and tenants the limits layer suspended')
    .option('-c, --config <file>', "the gateway's config (default ./pinpoint.yaml)")
    .option('--json', 'print JSON')
    .action(async (opts: { config?: string; json?: boolean }) => (await import('./actions/limits.ts')).runSuspensions(opts));
  cmd
    .command('lift')
    .description('Lift the suspension of a consumer or tenant')
    .argument('<what>', 'consumer or tenant')
    .argument('<name>', 'its name')
    .option('-c, --config <file>', "the gateway's config (default ./pinpoint.yaml)")
    .action(async (what: string, name: string, opts: { config?: string }) => (await import('./actions/limits.ts')).runLift(what, name, opts));
  return cmd;
}
