import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';

/**
 * API key format: `pk_<id><secret><check>`
 *   id      10 base62 chars, public: names the key in logs, `keys list` and decisions
 *   secret  32 base62 chars (~190 bits)
 *   check   6 base62 chars of CRC32 over prefix+id+secret: a typo is told apart from an
 *           unknown key without any lookup (the same idea as GitHub's token checksums)
 * Hand-written because the format is ours; the randomness and the CRC come from node.
 */
export const KEY_PREFIX = 'pk_';
const ID_LEN = 10;
const SECRET_LEN = 32;
const CHECK_LEN = 6;
export const KEY_LENGTH = KEY_PREFIX.length + ID_LEN + SECRET_LEN + CHECK_LEN;
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SHAPE = new RegExp(`^${KEY_PREFIX}[0-9A-Za-z]{${ID_LEN + SECRET_LEN + CHECK_LEN}}$`);

function randomBase62(n: number): string {
  let out = '';
  while (out.length < n) {
    for (const b of randomBytes(n * 2)) {
      // 248 = 4 * 62: rejecting the rest keeps every character equally likely.
      if (b < 248 && out.length < n) out += ALPHABET[b % 62];
    }
  }
  return out;
}

function checksum(body: string): string {
  let n = crc32(body);
  let out = '';
  for (let i = 0; i < CHECK_LEN; i++) {
    out = ALPHABET[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out;
}

export function generateKey(): { key: string; id: string } {
  const id = randomBase62(ID_LEN);
  const body = KEY_PREFIX + id + randomBase62(SECRET_LEN);
  return { key: body + checksum(body), id };
}

export type ParsedKey = { ok: true; id: string } | { ok: false; reason: 'shape' | 'checksum' };

/** Checks form and checksum; no lookup. */
export function parseKey(key: string): ParsedKey {
  if (!SHAPE.test(key)) return { ok: false, reason: 'shape' };
  const body = key.slice(0, -CHECK_LEN);
  if (checksum(body) !== key.slice(-CHECK_LEN)) return { ok: false, reason: 'checksum' };
  return { ok: true, id: key.slice(KEY_PREFIX.length, KEY_PREFIX.length + ID_LEN) };
}

export function looksLikeKey(value: string): boolean {
  return value.startsWith(KEY_PREFIX);
}

/** How a key is named anywhere but in the caller's hands: "pk_AbCdEf1234…". */
export function keyLabel(id: string): string {
  return `${KEY_PREFIX}${id}…`;
}
