// `pinpoint consumers set-password|remove-password`: passwords for HTTP Basic, kept in the
// credential store of a gateway's config as scrypt hashes. A running gateway sees a change
// within a second. The password is read from stdin, never from the command line (argv is
// visible to every user of the machine and lands in shell history).
// The commands' flags and help; their work is in ./actions/consumers.ts (see main.ts).
import { Command } from 'commander';

const work = () => import('./actions/consumers.ts');

export function consumersCommand(): Command {
  const consumers = new Command('consumers').description("Manage consumers' passwords (HTTP Basic): only a scrypt hash is kept; every change is audited");
  consumers
    .command('set-password')
    .description('Set or replace the password of a consumer of the config, read from stdin')
    .argument('<consumer>', 'a consumer declared in the config')
    .option('-c, --config <file>', "the gateway's config file (its store is used)")
    .action(async (consumer: string, opts: { config?: string }) => (await work()).runSetPassword(consumer, opts));
  consumers
    .command('remove-password')
    .description('Remove the password of a consumer: HTTP Basic no longer works for it')
    .argument('<consumer>', 'a consumer declared in the config')
    .option('-c, --config <file>', "the gateway's config file (its store is used)")
    .action(async (consumer: string, opts: { config?: string }) => (await work()).runRemovePassword(consumer, opts));
  return consumers;
}
