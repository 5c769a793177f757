import type { DecisionCode } from '../../../decision/codes.ts';
import type { Denial } from '../../../decision/types.ts';
import { withTried, type PasswordIndex, type Presented, type Verifier, type VerifyResult } from '../types.ts';
import { openSession } from './cookie.ts';

export interface SessionSettings {
  key: Buffer;
  cookie: string;
  loginPath: string;
  realm: string;
}

/** The verifier of a route's `session` entry: a signed cookie issued by the login route. */
export function sessionVerifier(s: SessionSettings, passwords: PasswordIndex, isConsumer: (name: string) => boolean): Verifier {
  return {
    name: 'session',
    // Not an IANA scheme: it tells a client where sessions come from (RFC 9110 §11.6.1 asks a 401 for a challenge).
    challenge: sessionChallenge(s),
    accepts: (p: Presented) => p.kind === 'cookie',
    verify(p: Presented): VerifyResult {
      const opened = openSession(s.key, p.value);
      if (!opened.ok) return deny('authn.session_invalid', p, `session cookie refused: ${opened.why}`, s);
      const { consumer, expiresAt, passwordStamp } = opened.session;
      const label = `session:${consumer.slice(0, 64)}`;
      if (expiresAt * 1000 <= Date.now()) {
        return withTried(deny('authn.session_expired', p, `session of ${consumer} expired at ${new Date(expiresAt * 1000).toISOString()}`, s), label, isConsumer(consumer) ? consumer : undefined);
      }
      const record = isConsumer(consumer) ? passwords.password(consumer) : undefined;
      if (!record || record.updatedAt !== passwordStamp) {
        const why = !isConsumer(consumer) ? 'the consumer is no longer in the config' : !record ? 'the consumer no longer has a password' : 'the password was changed after this session began';
        return withTried(deny('authn.session_invalid', p, `session of ${consumer} refused: ${why}`, s), label, isConsumer(consumer) ? consumer : undefined);
      }
      return { consumer, credential: label, via: 'session', scopes: [], roles: [], expiresAt };
    },
  };
}

export function sessionChallenge(s: SessionSettings): string {
  return `Session realm="${s.realm.replace(/["\\]/g, "'")}", cookie="${s.cookie}", login="${s.loginPath}"`;
}

function deny(code: DecisionCode, p: Presented, detail: string, s: SessionSettings): Denial {
  const hint = code === 'authn.session_expired' ? `The session has expired: log in again (POST ${s.loginPath}).` : `The session is not valid: log in again (POST ${s.loginPath}).`;
  return {
    code,
    ruleId: 'authn.sessions',
    detail,
    hint,
    evidence: [{ where: p.where, expected: 'a current session cookie signed by this gateway', observed: detail.slice(detail.indexOf(': ') + 2) }],
    fixes: [{ who: 'client', action: hint, proved: false, retryable: false }],
  };
}
