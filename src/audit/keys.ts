// Keys that nobody uses, and keys about to expire (from the credential store's records).
import { keyLabel } from '../layers/authn/api-key/format.ts';
import { keyState, type StoredKey } from '../store/types.ts';
import type { Finding } from './types.ts';

const DAY = 86_400_000;

export interface KeyAuditOptions {
  now: number;
  /** A key unused (or never used) for this many days is reported. */
  unusedDays: number;
  /** A key expiring within this many days is reported. */
  expiringDays: number;
}

const days = (ms: number) => Math.floor(ms / DAY);

export function auditKeys(keys: readonly StoredKey[], o: KeyAuditOptions): Finding[] {
  const out: Finding[] = [];
  for (const k of keys) {
    if (keyState(k, o.now) !== 'active') continue;
    const label = keyLabel(k.id);
    const owner = `consumer ${k.consumer}${k.name ? `, "${k.name}"` : ''}`;
    const age = days(o.now - k.createdAt);
    if (k.lastUsedAt === undefined) {
      if (age >= o.unusedDays) {
        out.push({
          severity: 'medium', check: 'key.never_used', subject: label,
          message: `${label} (${owner}) was created ${age} days ago and has never been used`,
          suggestion: `revoke it if nobody needs it: pinpoint keys revoke ${k.id} --reason "never used"`,
        });
      } else if (age >= 7) {
        out.push({
          severity: 'low', check: 'key.never_used', subject: label,
          message: `${label} (${owner}) was created ${age} days ago and has not been used yet`,
          suggestion: `check with ${k.consumer} that it is still wanted; revoke it once it is not`,
        });
      }
    } else if (o.now - k.lastUsedAt >= o.unusedDays * DAY) {
      out.push({
        severity: 'medium', check: 'key.unused', subject: label,
        message: `${label} (${owner}) was last used ${days(o.now - k.lastUsedAt)} days ago`,
        suggestion: `revoke it if it is no longer needed: pinpoint keys revoke ${k.id} --reason "unused"`,
      });
    }
    if (k.expiresAt !== undefined && !k.replacedBy && k.expiresAt - o.now <= o.expiringDays * DAY) {
      const left = Math.max(0, Math.ceil((k.expiresAt - o.now) / DAY));
      out.push({
        severity: left <= 3 ? 'high' : 'medium', check: 'key.expiring', subject: label,
        message: `${label} (${owner}) expires in ${left} day${left === 1 ? '' : 's'} (${new Date(k.expiresAt).toISOString().slice(0, 10)})${k.lastUsedAt !== undefined ? ' and is in use' : ''}`,
        suggestion: `rotate it with an overlap so ${k.consumer} can switch: pinpoint keys rotate ${k.id} --overlap 72h`,
      });
    }
  }
  return out;
}
