// `pinpoint owners set|show|list|delete|import|audit`: the ownership records (owner.store,
// owner.record) beside the credentials of a gateway's config (its SQLite file or PostgreSQL
// schema), for operators who seed or migrate them.
// The flags and help only; the work is in ./actions/owners.ts (see main.ts).
import { Command } from 'commander';
import { parsePositiveInt, parseSince } from './option-parsers.ts';

export interface OwnersOptions {
  config?: string;
  json?: boolean;
}

const configOption = ['-c, --config <file>', "the gateway's config file (its store is used)"] as const;
const work = () => import('./actions/owners.ts');

export function ownersCommand(): Command {
  const cmd = new Command('owners').description(
    'Ownership records: who owns which resource for routes with authz.owner.store (the gateway records creates itself; a running gateway sees changes made here within its owner.store.cacheTtlS)',
  );
  cmd
    .command('set')
    .description('Set (or change) the owner of a resource; audited')
    .argument('<resource>', 'the resource kind, as routes name it (orders)')
    .argument('<id>', 'the resource id, as the upstream gives it')
    .requiredOption('--consumer <name>', 'the owner: a consumer of the config (its tenant is recorded)')
    .option('--tenant <name>', "the owner's tenant (needed for a consumer the config does not declare)")
    .option(...configOption)
    .option('--json', 'print JSON')
    .action(async (resource: string, id: string, opts: OwnersOptions & { consumer: string; tenant?: string }) => (await work()).setOwner(resource, id, opts));
  cmd
    .command('show')
    .description('Show the record of one resource')
    .argument('<resource>')
    .argument('<id>')
    .option(...configOption)
    .option('--json', 'print JSON')
    .action(async (resource: string, id: string, opts: OwnersOptions) => (await work()).showOwner(resource, id, opts));
  cmd
    .command('list')
    .description('List records, by resource then id')
    .option('--resource <name>', 'only this resource kind')
    .option('--consumer <name>', 'only resources of this consumer')
    .option('--tenant <name>', 'only resources of this tenant')
    .option('--limit <n>', 'how many records', parsePositiveInt, 100)
    .option(...configOption)
    .option('--json', 'print JSON')
    .action(async (opts: OwnersOptions & { resource?: string; consumer?: string; tenant?: string; limit: number }) => (await work()).listOwners(opts));
  cmd
    .command('delete')
    .description('Delete the record of a resource (its routes then refuse everybody); audited')
    .argument('<resource>')
    .argument('<id>')
    .option(...configOption)
    .action(async (resource: string, id: string, opts: OwnersOptions) => (await work()).deleteOwner(resource, id, opts));
  cmd
    .command('import')
    .description('Set many owners from a file of JSON lines {"resource", "id", "consumer", "tenant"?} (a migration); every line is checked before any is written')
    .argument('<file>', 'the JSON lines file (- for standard input)')
    .option(...configOption)
    .action(async (file: string, opts: OwnersOptions) => (await work()).importOwners(file, opts));
  cmd
    .command('audit')
    .description('Changes to ownership records made by operators, newest first')
    .option('--since <when>', 'only changes since 30s, 10m, 2h, 1d ago or an ISO time', (v) => parseSince(v))
    .option('--resource <name>', 'only this resource kind')
    .option('--limit <n>', 'how many entries', parsePositiveInt, 100)
    .option(...configOption)
    .option('--json', 'print JSON')
    .action(async (opts: OwnersOptions & { since?: number; resource?: string; limit: number }) => (await work()).auditOwners(opts));
  return cmd;
}
