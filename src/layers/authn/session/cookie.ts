import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * A session cookie value: `v1.<consumer base64url>.<expires epoch s>.<password stamp>.<mac>`,
 * mac = HMAC-SHA256 (key from the environment) over everything before it. The password stamp
 * is the time the consumer's password was last set: changing or removing the password ends
 * every session issued before. Nothing secret is in the value; it is only unforgeable.
 */
export interface Session {
  consumer: string;
  /** Epoch seconds. */
  expiresAt: number;
  passwordStamp: number;
}

export type Parsed = { ok: true; session: Session } | { ok: false; why: string };

function mac(key: Buffer, body: string): Buffer {
  return createHmac('sha256', key).update(body).digest();
}

export function signSession(key: Buffer, s: Session): string {
  const body = ['v1', Buffer.from(s.consumer).toString('base64url'), s.expiresAt, s.passwordStamp].join('.');
  return `${body}.${mac(key, body).toString('base64url')}`;
}

export function openSession(key: Buffer, value: string): Parsed {
  const parts = value.split('.');
  if (parts.length !== 5 || parts[0] !== 'v1') return { ok: false, why: 'not a session cookie of this gateway' };
  const given = Buffer.from(parts[4], 'base64url');
  const expected = mac(key, parts.slice(0, 4).join('.'));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, why: 'the signature does not match (tampered, or signed with another secret)' };
  const expiresAt = Number(parts[2]);
  const passwordStamp = Number(parts[3]);
  if (!Number.isInteger(expiresAt) || !Number.isInteger(passwordStamp)) return { ok: false, why: 'unreadable fields' };
  return { ok: true, session: { consumer: Buffer.from(parts[1], 'base64url').toString('utf8'), expiresAt, passwordStamp } };
}

/** The value of one cookie in a Cookie header (RFC 6265 §5.4), or undefined. */
export function cookieValue(header: string, name: string): string | undefined {
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq < 0 || pair.slice(0, eq).trim() !== name) continue;
    return pair.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
  }
  return undefined;
}
