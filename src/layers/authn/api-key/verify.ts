import { hash, timingSafeEqual } from 'node:crypto';
import type { Denial } from '../../../decision/types.ts';
import { withTried, type KeyIndex, type Presented, type Verifier, type VerifyResult } from '../types.ts';
import { keyLabel, looksLikeKey, parseKey } from './format.ts';

/** Checks API keys against the store's index: form, checksum, lookup, constant-time hash compare, status, expiry. */
export function apiKeyVerifier(index: KeyIndex, realm: string, header: string, inBearer = true): Verifier {
  const challenge = `ApiKey realm="${realm}", header="${header}"`;
  return {
    name: 'apiKey',
    challenge,
    accepts: (p: Presented) => p.kind === 'apiKey' || (inBearer && p.kind === 'bearer' && looksLikeKey(p.value)),
    verify(p: Presented, dryRun?: boolean): VerifyResult {
      const parsed = parseKey(p.value);
      if (!parsed.ok) {
        return parsed.reason === 'checksum'
          ? deny('authn.key_checksum_invalid', p, 'a key whose checksum matches', 'checksum mismatch', 'The key has a typo: copy it again from where it was issued.', `checksum of the key presented in ${p.where} does not match: a typo or a truncated copy`)
          : deny('authn.credential_malformed', p, 'pk_ followed by 54 letters and digits', `${p.value.length} characters`, 'This is not an API key of this API. Copy the whole key, without quotes or spaces.', `the value in ${p.where} is not shaped like an API key`);
      }
      const record = index.get(parsed.id);
      const label = keyLabel(parsed.id);
      // Compared in constant time, and hashed even when the id is unknown, so timing does not tell ids apart.
      const presentedHash = hash('sha256', p.value, 'buffer');
      const matches = record !== undefined && timingSafeEqual(presentedHash, record.hash);
      if (!record || !matches) {
        return withTried(deny('authn.key_unknown', p, 'a key issued by this gateway', label, 'The key is not valid. Use a current key, or ask the API owner for one.', `no key ${label} is stored${record ? ' with this secret' : ''}`), label);
      }
      const now = Date.now();
      if (record.status === 'revoked') {
        const when = record.revokedAt ? new Date(record.revokedAt).toISOString() : 'unknown time';
        return withTried(deny('authn.key_revoked', p, 'an active key', `revoked at ${when}`, 'The key is not valid. Use a current key, or ask the API owner for one.', `key ${label} of ${record.consumer} was revoked at ${when}${record.revokedReason ? `: ${record.revokedReason}` : ''}; a new key is needed`, record.consumer), label, record.consumer);
      }
      if (record.expiresAt !== undefined && record.expiresAt <= now) {
        const when = new Date(record.expiresAt).toISOString();
        return withTried(deny('authn.key_expired', p, 'a key that has not expired', `expired at ${when}`, `The key expired at ${when}. Use its replacement or ask for a new key.`, `key ${label} of ${record.consumer} expired at ${when}`, record.consumer), label, record.consumer);
      }
      if (!dryRun) index.touch(record.id, now);
      return {
        consumer: record.consumer,
        credential: label,
        via: 'apiKey',
        scopes: record.scopes,
        roles: [],
        expiresAt: record.expiresAt !== undefined ? Math.floor(record.expiresAt / 1000) : undefined,
      };
    },
  };
}

function deny(code: Denial['code'], p: Presented, expected: string, observed: string, hint: string, detail: string, owner?: string): Denial {
  return {
    code,
    ruleId: 'authn.apiKey',
    detail,
    hint,
    evidence: [{ where: p.where, expected, observed }],
    fixes: [
      { who: 'client', action: hint, proved: false, retryable: false },
      ...(owner ? [{ who: 'key_owner' as const, action: `Create a new key for ${owner} (pinpoint keys create --consumer ${owner}).`, proved: false, retryable: false }] : []),
    ],
  };
}
