import { createHmac, randomBytes } from 'node:crypto';
import type { Denial } from '../../../decision/types.ts';
import { TokenCache } from '../jwt/token-cache.ts';
import { withTried, type PasswordIndex, type Presented, type Verifier, type VerifyResult } from '../types.ts';
import { hashPassword, verifyPassword } from './password.ts';

/**
 * Successful checks kept, and for how long: scrypt costs tens of milliseconds by design, so a
 * client sending the same Basic credentials on every request pays it once a minute, not per
 * request. The cache is keyed by an HMAC of the credentials under a key drawn at start (never
 * kept, never a plain hash of a password), and a hit is honoured only while the consumer's
 * stored hash is the one that was checked: a changed or removed password takes effect at once.
 * Failures are never cached: a wrong password always costs a full check.
 */
const CACHE_ENTRIES = 10_000;
const CACHE_MS = 60_000;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Whether a name is a consumer declared in the config (by name, not by token subject). */
export type IsConsumer = (name: string) => boolean;

/** The outcome of a password check: the consumer, or why it was refused (for the operator). */
export type PasswordCheck = { ok: true } | { ok: false; why: string };

/**
 * Checks a consumer's password against its stored hash: what Basic and the login route share.
 * `cacheMaterial` identifies the presented secret for the success cache (it is HMAC'd, never kept).
 */
export function passwordChecker(passwords: PasswordIndex, isConsumer: IsConsumer) {
  const cacheKey = randomBytes(32);
  const cache = new TokenCache<string>(CACHE_ENTRIES);
  // Checked against when the user is unknown, so the answer takes as long as for a known one.
  let decoy: Promise<string> | undefined;
  const OK: PasswordCheck = { ok: true };
  const inflight = new Map<string, { hash: string | undefined; check: Promise<PasswordCheck> }>();
  return function check(user: string, password: string, cacheMaterial: string): PasswordCheck | Promise<PasswordCheck> {
    const key = createHmac('sha256', cacheKey).update(cacheMaterial).digest('base64');
    const record = isConsumer(user) ? passwords.password(user) : undefined;
    if (record && cache.get(key, Date.now()) === record.hash) return OK;
    // Concurrent checks of the same credentials (a client opening many connections at once)
    // share one scrypt run instead of each paying for its own.
    const pending = inflight.get(key);
    if (pending && pending.hash === record?.hash) return pending.check;
    const verified = record ? verifyPassword(password, record.hash) : (decoy ??= hashPassword(randomBytes(16).toString('hex'))).then((h) => verifyPassword(password, h)).then(() => false);
    const check = verified.then((ok): PasswordCheck => {
      inflight.delete(key);
      if (!ok) return { ok: false, why: record ? 'the password does not match' : isConsumer(user) ? 'the consumer has no password' : 'no consumer has this name' };
      // Kept only if the hash did not change while the check ran.
      if (passwords.password(user)?.hash === record!.hash) cache.set(key, record!.hash, Date.now() + CACHE_MS, Date.now());
      return OK;
    });
    check.catch(() => inflight.delete(key));
    if (inflight.size < CACHE_ENTRIES) inflight.set(key, { hash: record?.hash, check });
    return check;
  };
}

/** HTTP Basic (RFC 7617) for consumers that have a password in the credential store. */
export function basicVerifier(passwords: PasswordIndex, realm: string, isConsumer: IsConsumer): Verifier {
  const check = passwordChecker(passwords, isConsumer);
  return {
    name: 'basic',
    challenge: `Basic realm="${realm.replace(/["\\]/g, "'")}", charset="UTF-8"`,
    accepts: (p: Presented) => p.kind === 'basic',
    verify(p: Presented): VerifyResult | Promise<VerifyResult> {
      if (!BASE64.test(p.value)) return malformed(p, 'base64 of user:password', 'characters outside base64, or bad padding');
      const decoded = Buffer.from(p.value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 1) return malformed(p, 'base64 of user:password', colon === 0 ? 'an empty user name' : 'no colon between user and password');
      const user = decoded.slice(0, colon);
      const label = `basic:${user.slice(0, 64)}`;
      const done = (r: PasswordCheck): VerifyResult => (r.ok ? identity(user, label) : invalid(p, label, user, r.why));
      const r = check(user, decoded.slice(colon + 1), p.value);
      return r instanceof Promise ? r.then(done) : done(r);
    },
  };
}

function identity(user: string, label: string): VerifyResult {
  return { consumer: user, credential: label, via: 'basic', scopes: [], roles: [] };
}

function malformed(p: Presented, expected: string, observed: string): Denial {
  const hint = 'Send "Authorization: Basic <base64 of user:password>" (RFC 7617).';
  return {
    code: 'authn.credential_malformed',
    ruleId: 'authn.basic',
    detail: `the Basic credentials in ${p.where} are not base64 of user:password: ${observed}`,
    hint,
    evidence: [{ where: p.where, expected, observed }],
    fixes: [{ who: 'client', action: hint, proved: false, retryable: false }],
  };
}

/** One answer for a wrong password and an unknown user (the caller cannot probe for names); the detail tells the operator which. */
function invalid(p: Presented, label: string, user: string, why: string): Denial {
  const hint = 'The user name or password is not valid.';
  return withTried(
    {
      code: 'authn.password_invalid',
      ruleId: 'authn.basic',
      detail: `Basic credentials for user ${JSON.stringify(user.slice(0, 64))} refused: ${why}`,
      hint,
      evidence: [{ where: p.where, expected: 'the password of a consumer that has one', observed: why }],
      fixes: [
        { who: 'client', action: 'Check the user name and password.', proved: false, retryable: false },
        { who: 'operator', action: 'Set a password with: pinpoint consumers set-password <consumer> -c <config>', proved: false, retryable: false },
      ],
    },
    label,
  );
}
