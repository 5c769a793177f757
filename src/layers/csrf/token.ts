import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Config } from '../../config/schema.ts';
import { MissingSecretError } from '../authn/introspection/index.ts';

/**
 * The signed double-submit token (OWASP CSRF cheat sheet): `<nonce>.<expires>.<binding>.<mac>`,
 * handed to the page in a readable cookie and a response header, sent back by the page in a
 * header (or form field) next to the cookie. The mac (HMAC-SHA256, key derived from the session
 * secret) makes it unforgeable, so a cookie planted from a sibling subdomain is refused; the
 * binding ties it to one session (a tag of the session cookie's own mac), so a token of another
 * session, even a genuine one, is refused too. It expires with the session.
 */
export interface CsrfIssuer {
  cookie: string;
  header: string;
  /** A token for the session cookie value `session` (expires at `expiresAt`, epoch seconds). */
  issue(session: string, expiresAt: number): { token: string; setCookie: string };
  check(token: string, session: string, nowS: number): 'ok' | 'invalid' | 'expired' | 'other_session';
}

/** The issuer of a config with sessions; undefined without them. Throws when the session secret is missing. */
export function csrfIssuer(config: Config, env: NodeJS.ProcessEnv): CsrfIssuer | undefined {
  const sessions = config.authn.sessions;
  if (!sessions) return undefined;
  const secret = env[sessions.secretEnv];
  if (!secret || secret.length < 32) {
    throw new MissingSecretError(`environment variable ${sessions.secretEnv} (the key that signs session cookies and CSRF tokens) is ${secret ? 'shorter than 32 characters' : 'not set'}`, ['authn', 'sessions', 'secretEnv']);
  }
  // Its own key: a CSRF mac can never be replayed as a session mac or the other way round.
  const key = createHmac('sha256', secret).update('pinpoint csrf token key v1').digest();
  const { cookie, header } = config.csrf;
  const attributes = `Path=/; SameSite=Strict${sessions.secure ? '; Secure' : ''}`;
  const binding = (session: string) => createHmac('sha256', key).update('bind|' + sessionMac(session)).digest().subarray(0, 12).toString('base64url');
  const mac = (body: string) => createHmac('sha256', key).update('csrf|' + body).digest();
  return {
    cookie,
    header,
    issue(session, expiresAt) {
      const body = `${randomBytes(16).toString('base64url')}.${expiresAt}.${binding(session)}`;
      const token = `${body}.${mac(body).toString('base64url')}`;
      const maxAge = Math.max(0, expiresAt - Math.floor(Date.now() / 1000));
      return { token, setCookie: `${cookie}=${token}; ${attributes}; Max-Age=${maxAge}` };
    },
    check(token, session, nowS) {
      const parts = token.split('.');
      if (parts.length !== 4) return 'invalid';
      const given = Buffer.from(parts[3], 'base64url');
      const expected = mac(parts.slice(0, 3).join('.'));
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
      if (Number(parts[1]) <= nowS) return 'expired';
      return parts[2] === binding(session) ? 'ok' : 'other_session';
    },
  };
}

/** The mac part of a session cookie value (v1.<consumer>.<exp>.<stamp>.<mac>): unique to one session. */
function sessionMac(session: string): string {
  return session.slice(session.lastIndexOf('.') + 1);
}

/**
 * For the login response: the token cookie and header to send with a new session cookie
 * (`sessionSetCookie`, the session's Set-Cookie value), so the page has its token right away.
 */
export function loginCsrfHeaders(issuer: CsrfIssuer, sessionSetCookie: string, expiresAt: number): { setCookie: string; header: [string, string] } {
  const value = sessionSetCookie.slice(sessionSetCookie.indexOf('=') + 1, sessionSetCookie.indexOf(';') === -1 ? undefined : sessionSetCookie.indexOf(';'));
  const { token, setCookie } = issuer.issue(value, expiresAt);
  return { setCookie, header: [issuer.header, token] };
}
