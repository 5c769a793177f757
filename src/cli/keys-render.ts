// What `pinpoint keys ...` prints for people. Values come from the store and the config; the
// table helpers escape control characters, so a crafted name cannot rewrite the terminal.
import { printable, renderTable } from '../calllog/text-table.ts';
import { SHOWN_ONCE, type KeyView } from '../store/key-view.ts';
import type { AuditEntry } from '../store/types.ts';


const day = (iso: string | undefined, none: string) => (iso ? iso.replace(/\.\d{3}Z$/, 'Z') : none);

export function renderKeyList(keys: KeyView[]): string {
  if (keys.length === 0) return 'No keys.\n';
  const status = (k: KeyView) => (k.status === 'active' && k.replacedBy ? 'active (replaced)' : k.status);
  const rows = keys.map((k) => [k.label, k.consumer, k.scopes.join(',') || '-', status(k), day(k.expiresAt, 'never'), day(k.lastUsedAt, 'never'), k.name ?? '']);
  return renderTable(['KEY', 'CONSUMER', 'SCOPES', 'STATUS', 'EXPIRES', 'LAST USED', 'NAME'], rows, { maxCell: 60 }) + '\n';
}

export function renderKey(k: KeyView): string {
  const lines: Array<[string, string | undefined]> = [
    ['key', `${k.label} (id ${k.id})`],
    ['consumer', k.consumer],
    ['scopes', k.scopes.join(', ') || '(none)'],
    ['status', k.status + (k.status === 'revoked' && k.revokedReason ? `: ${k.revokedReason}` : '')],
    ['name', k.name],
    ['created', `${day(k.createdAt, '')} by ${k.createdBy}`],
    ['expires', day(k.expiresAt, 'never')],
    ['last used', day(k.lastUsedAt, 'never')],
    ['revoked', k.revokedAt && day(k.revokedAt, '')],
    ['replaced by', k.replacedBy && `pk_${k.replacedBy}…`],
    ['rotated from', k.rotatedFrom && `pk_${k.rotatedFrom}…`],
  ];
  const shown = lines.filter((l): l is [string, string] => l[1] !== undefined && l[1] !== '');
  const width = Math.max(...shown.map(([label]) => label.length));
  return shown.map(([label, value]) => `${label.padEnd(width)}  ${printable(value)}`).join('\n') + '\n';
}

/** A new key: the secret on a line of its own, then the record, then the warning. */
export function renderIssued(key: string, view: KeyView, previous?: KeyView): string {
  const out = [`New API key for ${printable(view.consumer)}:`, '', `  ${key}`, '', renderKey(view)];
  if (previous) out.push(`The old key ${previous.label} keeps working until ${day(previous.expiresAt, 'never')}, then expires.`, '');
  out.push(SHOWN_ONCE, '');
  return out.join('\n');
}

export function renderAudit(entries: AuditEntry[]): string {
  if (entries.length === 0) return 'No audit entries.\n';
  const rows = entries.map((e) => [new Date(e.at).toISOString().replace(/\.\d{3}Z$/, 'Z'), e.actor, e.action, e.keyId.startsWith('password:') ? 'password' : `pk_${e.keyId}…`, e.consumer, details(e)]);
  return renderTable(['AT', 'ACTOR', 'ACTION', 'KEY', 'CONSUMER', 'DETAILS'], rows, { maxCell: 80 }) + '\n';
}

function details(e: AuditEntry): string {
  const d = e.details;
  const parts: string[] = [];
  if (Array.isArray(d.scopes)) parts.push(`scopes ${d.scopes.join(',') || '-'}`);
  if (typeof d.expiresAt === 'number') parts.push(`expires ${day(new Date(d.expiresAt).toISOString(), '')}`);
  if (typeof d.name === 'string') parts.push(`name ${d.name}`);
  if (typeof d.reason === 'string') parts.push(`reason: ${d.reason}`);
  if (d.replaced === true) parts.push('replaced the previous password');
  if (typeof d.rotatedFrom === 'string') parts.push(`replaces pk_${d.rotatedFrom}…`);
  if (typeof d.replacedBy === 'string') parts.push(`replaced by pk_${d.replacedBy}…`);
  if (typeof d.overlapMs === 'number') parts.push(`overlap ${Math.round(d.overlapMs / 60_000)} min`);
  return parts.join('; ');
}
