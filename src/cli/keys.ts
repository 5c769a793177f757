// `pinpoint keys create|list|show|rotate|revoke|audit` and `pinpoint audit-log`: key management
// on the credential store of a gateway's config (its SQLite file or its PostgreSQL database).
// Running gateways see each change within a second.
import { Command, InvalidArgumentError } from 'commander';
import { checkConsumer, checkScopes, checkText, expiryFromDays, keyRef, MAX_NAME, MAX_REASON, overlapFromHours } from '../store/key-input.ts';
import { keyView, SHOWN_ONCE } from '../store/key-view.ts';
import { StoreError, StoreUnavailableError, type CredentialStore } from '../store/types.ts';
import { CliError } from './errors.ts';
import { renderAudit, renderIssued, renderKey, renderKeyList } from './keys-render.ts';
import { parsePositiveInt, parseSince } from './option-parsers.ts';
import { cliActor, storeFromConfig, type StoreSource } from './store-source.ts';

const UNIT_HOURS: Record<string, number> = { m: 1 / 60, h: 1, d: 24 };

/** "30d", "24h", "90m" (and "0h" where zero makes sense) as hours. */
function parseHours(value: string): number {
  const m = /^(\d+(?:\.\d+)?)([mhd])$/.exec(value.trim());
  if (!m) throw new InvalidArgumentError('expected a duration like 90m, 24h or 30d');
  return Number(m[1]) * UNIT_HOURS[m[2]];
}

function parseScopes(value: string): string[] {
  const scopes = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const error = checkScopes(scopes);
  if (error) throw new InvalidArgumentError(error);
  return scopes;
}

function parseKeyRef(value: string): string {
  const ref = keyRef(value);
  if (!ref.ok) throw new InvalidArgumentError(ref.error);
  return ref.value;
}

function textOption(what: string, max: number) {
  return (value: string) => {
    const error = checkText(what, value, max);
    if (error) throw new InvalidArgumentError(error);
    return value;
  };
}

interface Common {
  config?: string;
  json?: boolean;
}

/** Opens the store, runs, closes; a store refusal becomes one clear line. */
async function withStore<T>(opts: Common, run: (s: StoreSource) => Promise<T>): Promise<T> {
  const source = await storeFromConfig(opts.config);
  try {
    return await run(source);
  } catch (err) {
    if (err instanceof StoreError) throw new CliError(err.message.charAt(0).toUpperCase() + err.message.slice(1) + '.');
    if (err instanceof StoreUnavailableError) throw new CliError(err.message);
    throw err;
  } finally {
    await source.store.close();
  }
}

async function mustGet(store: CredentialStore, id: string) {
  const key = await store.getKey(id);
  if (!key) throw new CliError(`No key has id ${id}. See pinpoint keys list.`);
  return key;
}

const out = (text: string) => process.stdout.write(text);
const json = (value: unknown) => out(JSON.stringify(value, null, 2) + '\n');
const configOption = ['-c, --config <file>', "the gateway's config file (its store is used)"] as const;

function auditCommand(name: string): Command {
  return new Command(name)
    .description('List changes to keys, newest first: who created, revoked or rotated which key, and when')
    .option(...configOption)
    .option('--since <when>', 'only changes since 30s, 10m, 2h, 1d ago or an ISO time', (v) => parseSince(v))
    .option('--key <id>', 'only changes of this key', parseKeyRef)
    .option('--limit <n>', 'how many entries', parsePositiveInt, 100)
    .option('--json', 'print JSON')
    .action((opts: Common & { since?: number; key?: string; limit: number }) =>
      withStore(opts, async ({ store }) => {
        const entries = await store.listAudit({ since: opts.since, keyId: opts.key, limit: opts.limit });
        if (opts.json) json(entries.map((e) => ({ ...e, at: new Date(e.at).toISOString() })));
        else out(renderAudit(entries));
      }),
    );
}

export function keysCommand(): Command {
  const keys = new Command('keys').description('Manage API keys: the plain key is shown once, at creation; every change is audited');

  keys
    .command('create')
    .description('Issue a new API key for a consumer of the config')
    .requiredOption('--consumer <name>', 'a consumer declared in the config')
    .requiredOption('--scopes <list>', 'comma-separated scopes, e.g. orders:read,orders:write', parseScopes)
    .option('--expires-in <duration>', 'expire after 90m, 24h, 30d ...', parseHours)
    .option('--name <text>', 'what the key is for (shown in listings)', textOption('name', MAX_NAME))
    .option(...configOption)
    .option('--json', 'print JSON (the key is in it, once)')
    .action((opts: Common & { consumer: string; scopes: string[]; expiresIn?: number; name?: string }) =>
      withStore(opts, async ({ config, store }) => {
        const unknown = checkConsumer(config, opts.consumer);
        if (unknown) throw new CliError(`${unknown.charAt(0).toUpperCase() + unknown.slice(1)}.`);
        const expiry = opts.expiresIn !== undefined ? expiryFromDays(opts.expiresIn / 24) : undefined;
        if (expiry && !expiry.ok) throw new CliError(`--expires-in: ${expiry.error}`);
        const issued = await store.createKey({ consumer: opts.consumer, scopes: opts.scopes, name: opts.name, expiresAt: expiry?.ok ? expiry.value : undefined, actor: cliActor() });
        if (opts.json) json({ key: issued.key, warning: SHOWN_ONCE, ...keyView(issued.record) });
        else out(renderIssued(issued.key, keyView(issued.record)));
      }),
    );

  keys
    .command('list')
    .description('List keys: prefix, consumer, scopes, status, expiry, last use')
    .option('--consumer <name>', 'only the keys of this consumer')
    .option(...configOption)
    .option('--json', 'print JSON')
    .action((opts: Common & { consumer?: string }) =>
      withStore(opts, async ({ store }) => {
        const now = Date.now();
        const views = (await store.listKeys({ consumer: opts.consumer })).map((k) => keyView(k, now));
        if (opts.json) json(views);
        else out(renderKeyList(views));
      }),
    );

  keys
    .command('show')
    .description('Show one key (never its secret)')
    .argument('<id>', 'the key id or label (pk_AbCdEf1234)', parseKeyRef)
    .option(...configOption)
    .option('--json', 'print JSON')
    .action((id: string, opts: Common) =>
      withStore(opts, async ({ store }) => {
        const view = keyView(await mustGet(store, id));
        if (opts.json) json(view);
        else out(renderKey(view));
      }),
    );

  keys
    .command('rotate')
    .description('Issue a replacement key; the old one keeps working for the overlap, then expires')
    .argument('<id>', 'the key id or label', parseKeyRef)
    .requiredOption('--overlap <duration>', 'how long the old key keeps working: 0h, 90m, 24h, 7d', parseHours)
    .option(...configOption)
    .option('--json', 'print JSON (the new key is in it, once)')
    .action((id: string, opts: Common & { overlap: number }) =>
      withStore(opts, async ({ store }) => {
        const overlap = overlapFromHours(opts.overlap);
        if (!overlap.ok) throw new CliError(`--overlap: ${overlap.error}`);
        const r = await store.rotateKey(id, { overlapMs: overlap.value, actor: cliActor() });
        if (opts.json) json({ key: r.key, warning: SHOWN_ONCE, ...keyView(r.record), previous: keyView(r.previous) });
        else out(renderIssued(r.key, keyView(r.record), keyView(r.previous)));
      }),
    );

  keys
    .command('revoke')
    .description('Revoke a key now; requests with it are refused from then on')
    .argument('<id>', 'the key id or label', parseKeyRef)
    .requiredOption('--reason <text>', 'why (kept in the key and the audit log)', textOption('reason', MAX_REASON))
    .option(...configOption)
    .option('--json', 'print JSON')
    .action((id: string, opts: Common & { reason: string }) =>
      withStore(opts, async ({ store }) => {
        const view = keyView(await store.revokeKey(id, opts.reason, cliActor()));
        if (opts.json) json(view);
        else out(`Revoked ${view.label} of ${view.consumer}. A running gateway refuses it within a second.\n`);
      }),
    );

  keys.addCommand(auditCommand('audit'));
  return keys;
}

/** `pinpoint audit-log`: the same as `pinpoint keys audit`. */
export function auditLogCommand(): Command {
  return auditCommand('audit-log');
}
