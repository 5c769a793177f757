// `pinpoint keys create|list|show|rotate|revoke|audit` and `pinpoint audit-log`: key management
// on the credential store of a gateway's config (its SQLite file or its PostgreSQL database).
// Running gateways see each change within a second.
// The commands' flags and help; their work is in ./actions/keys.ts (see main.ts).
import { Command, InvalidArgumentError } from 'commander';
import { checkScopes, checkText, keyRef, MAX_NAME, MAX_REASON } from '../store/key-input.ts';
import { parsePositiveInt, parseSince } from './option-parsers.ts';

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

export interface KeysOptions {
  config?: string;
  json?: boolean;
}

const work = () => import('./actions/keys.ts');
const configOption = ['-c, --config <file>', "the gateway's config file (its store is used)"] as const;

function auditCommand(name: string): Command {
  return new Command(name)
    .description('List changes to keys, newest first: who created, revoked or rotated which key, and when')
    .option(...configOption)
    .option('--since <when>', 'only changes since 30s, 10m, 2h, 1d ago or an ISO time', (v) => parseSince(v))
    .option('--key <id>', 'only changes of this key', parseKeyRef)
    .option('--limit <n>', 'how many entries', parsePositiveInt, 100)
    .option('--json', 'print JSON')
    .action(async (opts: KeysOptions & { since?: number; key?: string; limit: number }) => (await work()).runKeysAudit(opts));
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
    .action(async (opts: KeysOptions & { consumer: string; scopes: string[]; expiresIn?: number; name?: string }) => (await work()).runKeysCreate(opts));

  keys
    .command('list')
    .description('List keys: prefix, consumer, scopes, status, expiry, last use')
    .option('--consumer <name>', 'only the keys of this consumer')
    .option(...configOption)
    .option('--json', 'print JSON')
    .action(async (opts: KeysOptions & { consumer?: string }) => (await work()).runKeysList(opts));

  keys
    .command('show')
    .description('Show one key (never its secret)')
    .argument('<id>', 'the key id or label (pk_AbCdEf1234)', parseKeyRef)
    .option(...configOption)
    .option('--json', 'print JSON')
    .action(async (id: string, opts: KeysOptions) => (await work()).runKeysShow(id, opts));

  keys
    .command('rotate')
    .description('Issue a replacement key; the old one keeps working for the overlap, then expires')
    .argument('<id>', 'the key id or label', parseKeyRef)
    .requiredOption('--overlap <duration>', 'how long the old key keeps working: 0h, 90m, 24h, 7d', parseHours)
    .option(...configOption)
    .option('--json', 'print JSON (the new key is in it, once)')
    .action(async (id: string, opts: KeysOptions & { overlap: number }) => (await work()).runKeysRotate(id, opts));

  keys
    .command('revoke')
    .description('Revoke a key now; requests with it are refused from then on')
    .argument('<id>', 'the key id or label', parseKeyRef)
    .requiredOption('--reason <text>', 'why (kept in the key and the audit log)', textOption('reason', MAX_REASON))
    .option(...configOption)
    .option('--json', 'print JSON')
    .action(async (id: string, opts: KeysOptions & { reason: string }) => (await work()).runKeysRevoke(id, opts));

  keys.addCommand(auditCommand('audit'));
  return keys;
}

/** `pinpoint audit-log`: the same as `pinpoint keys audit`. */
export function auditLogCommand(): Command {
  return auditCommand('audit-log');
}
