import type { AuditEntry, StoredKey } from './types.ts';
import type { AuditRow, KeyRow } from './sqlite-schema.ts';

/** A key row as the record the authn layer and management read (absent values left out). */
export function keyFromRow(r: KeyRow): StoredKey {
  const k: StoredKey = {
    id: r.id,
    consumer: r.consumer,
    hash: r.hash,
    scopes: Object.freeze(JSON.parse(r.scopes) as string[]),
    status: r.status,
    createdAt: r.created_at,
    createdBy: r.created_by,
  };
  if (r.revoked_at !== null) k.revokedAt = r.revoked_at;
  if (r.revoked_reason !== null) k.revokedReason = r.revoked_reason;
  if (r.expires_at !== null) k.expiresAt = r.expires_at;
  if (r.name !== null) k.name = r.name;
  if (r.last_used_at !== null) k.lastUsedAt = r.last_used_at;
  if (r.replaced_by !== null) k.replacedBy = r.replaced_by;
  if (r.rotated_from !== null) k.rotatedFrom = r.rotated_from;
  return k;
}

export function auditFromRow(r: AuditRow): AuditEntry {
  return { id: r.id, at: r.at, actor: r.actor, action: r.action, keyId: r.key_id, consumer: r.consumer, details: JSON.parse(r.details) as Record<string, unknown> };
}
