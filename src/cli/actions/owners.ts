// The work of `pinpoint owners` (the command is defined in ../owners.ts).
import { readFileSync } from 'node:fs';
import { renderTable } from '../../calllog/text-table.ts';
import type { Config } from '../../config/schema.ts';
import { checkOwnerInput } from '../../store/owner-input.ts';
import type { OwnerAuditEntry, OwnerRecord, OwnerStore } from '../../store/owners.ts';
import { openConfiguredOwnerStore } from '../../store/open.ts';
import { StoreOpenError } from '../../store/types.ts';
import { CliError } from '../errors.ts';
import type { OwnersOptions } from '../owners.ts';
import { cliActor, sentence, storeCliError, storeConfig } from '../store-source.ts';

const out = (text: string): void => void process.stdout.write(text);
const json = (value: unknown): void => out(JSON.stringify(value, null, 2) + '\n');

/** Loads the config (-c, else ./pinpoint.yaml), opens the ownership tables of its store (file or PostgreSQL), runs, closes. */
async function withOwners<T>(opts: OwnersOptions, run: (store: OwnerStore, config: Config) => Promise<T>): Promise<T> {
  const { path, config } = storeConfig(opts.config, 'Ownership records need a valid config (owners are checked against its consumers)');
  let store: OwnerStore;
  try {
    store = await openConfiguredOwnerStore(config, path, {});
  } catch (err) {
    if (err instanceof StoreOpenError) throw new CliError(err.message);
    throw err;
  }
  try {
    return await run(store, config);
  } catch (err) {
    if (err instanceof RangeError) throw new CliError(sentence(err.message));
    throw storeCliError(err);
  } finally {
    await store.close();
  }
}

function checked(config: Config, resource: string, id: string, consumer: string, tenant: string | undefined): { consumer: string; tenant?: string } {
  const input = checkOwnerInput(config, resource, id, consumer, tenant);
  if (!input.ok) throw new CliError(input.errors.map(sentence).join(' '));
  return input;
}

export function setOwner(resource: string, id: string, opts: OwnersOptions & { consumer: string; tenant?: string }): Promise<void> {
  return withOwners(opts, async (store, config) => {
    const owner = checked(config, resource, id, opts.consumer, opts.tenant);
    const { record, previous } = await store.setOwner({ resource, id, ...owner, actor: cliActor() });
    if (opts.json) return json(previous ? { ...record, previous } : record);
    out(`${resource} ${JSON.stringify(id)} is now owned by ${describe(record)}${previous ? ` (was ${describe(previous)})` : ''}\n`);
  });
}

export function showOwner(resource: string, id: string, opts: OwnersOptions): Promise<void> {
  return withOwners(opts, async (store) => {
    const record = await store.getOwner(resource, id);
    if (!record) throw new CliError(`No ownership record for ${resource} ${JSON.stringify(id)}: its routes refuse every caller. pinpoint owners set gives it one.`);
    if (opts.json) return json(record);
    out(renderRecord(record));
  });
}

export function listOwners(opts: OwnersOptions & { resource?: string; consumer?: string; tenant?: string; limit: number }): Promise<void> {
  return withOwners(opts, async (store) => {
    const records = await store.listOwners({ resource: opts.resource, consumer: opts.consumer, tenant: opts.tenant, limit: opts.limit });
    if (opts.json) return json({ count: records.length, owners: records });
    if (records.length === 0) return out('no ownership records\n');
    out(table(['RESOURCE', 'ID', 'CONSUMER', 'TENANT', 'BY', 'UPDATED'], records.map((r) => [r.resource, r.id, r.consumer, r.tenant ?? '-', r.by, new Date(r.updatedAt).toISOString()])));
  });
}

export function deleteOwner(resource: string, id: string, opts: OwnersOptions): Promise<void> {
  return withOwners(opts, async (store) => {
    const gone = await store.deleteOwner(resource, id, cliActor());
    out(`deleted: ${resource} ${JSON.stringify(id)} was owned by ${describe(gone)}\n`);
  });
}

/** JSON lines, all checked first: a migration with a bad line writes nothing. */
export function importOwners(file: string, opts: OwnersOptions): Promise<void> {
  return withOwners(opts, async (store, config) => {
    const text = file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8');
    const rows: Array<{ resource: string; id: string; consumer: string; tenant?: string }> = [];
    const errors: string[] = [];
    text.split('\n').forEach((line, i) => {
      if (line.trim() === '') return;
      try {
        const v = JSON.parse(line) as Record<string, unknown>;
        const str = (k: string) => (typeof v[k] === 'string' ? (v[k] as string) : undefined);
        const [resource, id, consumer, tenant] = [str('resource'), typeof v.id === 'number' ? String(v.id) : str('id'), str('consumer'), str('tenant')];
        if (resource === undefined || id === undefined || consumer === undefined) throw new Error('needs "resource", "id" and "consumer" (texts)');
        const input = checkOwnerInput(config, resource, id, consumer, tenant);
        if (!input.ok) throw new Error(input.errors.join('; '));
        rows.push({ resource, id, consumer: input.consumer, tenant: input.tenant });
      } catch (err) {
        errors.push(`line ${i + 1}: ${(err as Error).message}`);
      }
    });
    if (errors.length) throw new CliError(`Nothing imported; fix these lines:\n  ${errors.slice(0, 20).join('\n  ')}${errors.length > 20 ? `\n  … and ${errors.length - 20} more` : ''}`);
    const actor = cliActor();
    let changed = 0;
    for (const row of rows) {
      const { previous } = await store.setOwner({ ...row, actor });
      if (previous) changed++;
    }
    out(`imported ${rows.length} ownership record${rows.length === 1 ? '' : 's'} (${changed} replaced an owner)\n`);
  });
}

export function auditOwners(opts: OwnersOptions & { since?: number; resource?: string; limit: number }): Promise<void> {
  return withOwners(opts, async (store) => {
    const entries = await store.listOwnerAudit({ since: opts.since, resource: opts.resource, limit: opts.limit });
    if (opts.json) return json({ count: entries.length, entries });
    if (entries.length === 0) return out('no changes\n');
    out(table(['AT', 'ACTOR', 'ACTION', 'RESOURCE', 'ID', 'CONSUMER', 'DETAILS'], entries.map(auditRow)));
  });
}

function describe(r: { consumer: string; tenant?: string }): string {
  return `${r.consumer}${r.tenant !== undefined ? ` (tenant ${r.tenant})` : ''}`;
}

function renderRecord(r: OwnerRecord): string {
  const lines = [
    `${r.resource} ${JSON.stringify(r.id)}`,
    `  owner    ${describe(r)}`,
    `  by       ${r.by}${r.requestId ? ` (request ${r.requestId} on route ${r.route})` : ''}`,
    `  created  ${new Date(r.createdAt).toISOString()}`,
    `  updated  ${new Date(r.updatedAt).toISOString()}`,
  ];
  return lines.join('\n') + '\n';
}

function auditRow(a: OwnerAuditEntry): string[] {
  const prev = a.details.previous as { consumer: string; tenant?: string } | undefined;
  return [new Date(a.at).toISOString(), a.actor, a.action, a.resource, a.resourceId, a.consumer, prev ? `was ${describe(prev)}` : ''];
}

/** Ids come from upstreams and callers: printed with control characters escaped (renderTable). */
function table(head: string[], rows: string[][]): string {
  return renderTable(head, rows) + '\n';
}
