// What the admin API and the CLI accept for key management, checked the same way by both.
import type { Config } from '../config/schema.ts';
import { KEY_PREFIX } from '../layers/authn/api-key/format.ts';

/** An RFC 6749 scope token (printable ASCII but space, `"` and `\`), minus the comma the CLI splits on. */
const SCOPE = /^[\x21\x23-\x2b\x2d-\x5b\x5d-\x7e]{1,128}$/;
const MAX_SCOPES = 64;
/** Free text shown in listings and the audit log: one line, no control characters. */
const TEXT = /^[^\x00-\x1f\x7f]+$/;
export const MAX_NAME = 100;
export const MAX_REASON = 500;
export const MAX_EXPIRY_DAYS = 3650;
/** A long overlap defeats the point of rotating: the old key should die soon. */
export const MAX_OVERLAP_HOURS = 24 * 30;
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

/** The consumer must be declared in the config; the error names the ones that are. */
export function checkConsumer(config: Config, consumer: string): string | undefined {
  if (Object.hasOwn(config.consumers, consumer)) return undefined;
  const known = Object.keys(config.consumers);
  return known.length
    ? `unknown consumer ${JSON.stringify(consumer)}; the config declares: ${known.join(', ')}`
    : `unknown consumer ${JSON.stringify(consumer)}; the config declares no consumers (add one under consumers:, with its tenant under tenants:)`;
}

export function checkScopes(scopes: readonly string[]): string | undefined {
  if (scopes.length > MAX_SCOPES) return `at most ${MAX_SCOPES} scopes`;
  const bad = scopes.find((s) => !SCOPE.test(s));
  if (bad !== undefined) return `scope ${JSON.stringify(bad.slice(0, 40))} is not a scope token (1 to 128 printable characters, no spaces, quotes, backslashes or commas)`;
  return undefined;
}

export function checkText(what: string, value: string, max: number): string | undefined {
  if (value.length === 0 || value.length > max) return `${what} is 1 to ${max} characters`;
  if (!TEXT.test(value)) return `${what} is one line of text, without control characters`;
  return undefined;
}

/** Days from now to an expiry time (epoch ms). */
export function expiryFromDays(days: number, now = Date.now()): Checked<number> {
  if (!Number.isFinite(days) || days <= 0 || days > MAX_EXPIRY_DAYS) return { ok: false, error: `expiry is more than 0 and at most ${MAX_EXPIRY_DAYS} days` };
  return { ok: true, value: Math.round(now + days * DAY_MS) };
}

export function overlapFromHours(hours: number): Checked<number> {
  if (!Number.isFinite(hours) || hours < 0 || hours > MAX_OVERLAP_HOURS) return { ok: false, error: `overlap is 0 to ${MAX_OVERLAP_HOURS} hours` };
  return { ok: true, value: Math.round(hours * HOUR_MS) };
}

const ID = /^[0-9A-Za-z]{10}$/;

/**
 * A key named by its id ("AbCdEf1234") or its label ("pk_AbCdEf1234", "pk_AbCdEf1234…").
 * A whole key is refused: it does not belong in a command line or a URL.
 */
export function keyRef(input: string): Checked<string> {
  let s = input.trim();
  if (s.endsWith('…')) s = s.slice(0, -1);
  if (s.startsWith(KEY_PREFIX)) s = s.slice(KEY_PREFIX.length);
  if (ID.test(s)) return { ok: true, value: s };
  if (s.length > 20) return { ok: false, error: 'this looks like a whole key: name a key by its id (the 10 characters after pk_), never by the secret' };
  return { ok: false, error: `${JSON.stringify(input.slice(0, 40))} is not a key id (10 letters and digits, as shown by keys list)` };
}
