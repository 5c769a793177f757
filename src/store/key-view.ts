import { keyLabel } from '../layers/authn/api-key/format.ts';
import { keyState, type AuditEntry, type KeyState, type StoredKey } from './types.ts';

/** A key as management shows it (admin API, `keys list --json`): no hash, times as ISO text. */
export interface KeyView {
  id: string;
  label: string;
  consumer: string;
  scopes: string[];
  status: KeyState;
  name?: string;
  createdAt: string;
  createdBy: string;
  expiresAt?: string;
  lastUsedAt?: string;
  revokedAt?: string;
  revokedReason?: string;
  replacedBy?: string;
  rotatedFrom?: string;
}

/** Said wherever a plain key is handed out. */
export const SHOWN_ONCE = 'This is the only time the key is shown: store it now (in a secret manager). Only its hash is kept; a lost key cannot be recovered, only replaced.';

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

export function keyView(k: StoredKey, now = Date.now()): KeyView {
  return {
    id: k.id,
    label: keyLabel(k.id),
    consumer: k.consumer,
    scopes: [...k.scopes],
    status: keyState(k, now),
    name: k.name,
    createdAt: iso(k.createdAt)!,
    createdBy: k.createdBy,
    expiresAt: iso(k.expiresAt),
    lastUsedAt: iso(k.lastUsedAt),
    revokedAt: iso(k.revokedAt),
    revokedReason: k.revokedReason,
    replacedBy: k.replacedBy,
    rotatedFrom: k.rotatedFrom,
  };
}

export function auditView(e: AuditEntry): Omit<AuditEntry, 'at'> & { at: string } {
  return { ...e, at: new Date(e.at).toISOString() };
}
