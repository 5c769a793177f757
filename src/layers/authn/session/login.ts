import type { Config } from '../../../config/schema.ts';
import type { Denial } from '../../../decision/types.ts';
import type { EvalContext } from '../../../pipeline/types.ts';
import type { passwordChecker, PasswordCheck } from '../basic/verify.ts';
import { MissingSecretError } from '../introspection/index.ts';
import { withTried, type PasswordIndex, type VerifyResult } from '../types.ts';
import { signSession } from './cookie.ts';
import type { SessionSettings } from './verify.ts';
import { csrfIssuer, loginCsrfHeaders } from '../../csrf/token.ts';

export interface LoginSuccess {
  /** The Set-Cookie header values: the session cookie, and the CSRF token cookie that goes with it. */
  setCookie: string[];
  /** Other response headers (the CSRF token, for the page to read). */
  headers: Record<string, string>;
  expiresAt: number;
}

/** Issues the session cookie once the login route's request passed the pipeline. */
export interface LoginService {
  /** undefined when the consumer has no password any more (changed while the request ran). */
  issue(consumer: string): LoginSuccess | undefined;
}

/** The session settings of a config, with the signing key read from the environment; undefined without sessions. */
export function sessionSettings(config: Config, env: NodeJS.ProcessEnv): SessionSettings | undefined {
  const c = config.authn.sessions;
  if (!c) return undefined;
  const secret = env[c.secretEnv];
  if (!secret || secret.length < 32) {
    throw new MissingSecretError(`environment variable ${c.secretEnv} (the key that signs session cookies) is ${secret ? 'shorter than 32 characters' : 'not set'}`, ['authn', 'sessions', 'secretEnv']);
  }
  return { key: Buffer.from(secret, 'utf8'), cookie: c.cookie, loginPath: c.loginPath, realm: config.authn.realm };
}

export function loginService(config: Config, s: SessionSettings, passwords: PasswordIndex, env: NodeJS.ProcessEnv): LoginService {
  const c = config.authn.sessions!;
  const csrf = csrfIssuer(config, env);
  const attributes = `Path=/; HttpOnly; SameSite=${c.sameSite}${c.secure ? '; Secure' : ''}; Max-Age=${c.ttlS}`;
  return {
    issue(consumer) {
      const record = passwords.password(consumer);
      if (!record) return undefined;
      const expiresAt = Math.floor(Date.now() / 1000) + c.ttlS;
      const value = signSession(s.key, { consumer, expiresAt, passwordStamp: record.updatedAt });
      const session = `${c.cookie}=${value}; ${attributes}`;
      if (!csrf) return { setCookie: [session], headers: {}, expiresAt };
      // The page gets its CSRF token with its session (src/layers/csrf checks it on unsafe methods).
      const token = loginCsrfHeaders(csrf, session, expiresAt);
      return { setCookie: [session, token.setCookie], headers: { [token.header[0]]: token.header[1] }, expiresAt };
    },
  };
}

/**
 * The authn check of the login route: the JSON body's username (or consumer) and password,
 * checked as HTTP Basic checks them (same hashes, same decoy for unknown users).
 */
export function loginCheck(check: ReturnType<typeof passwordChecker>, loginPath: string) {
  return function verifyLogin(ctx: EvalContext): VerifyResult | Promise<VerifyResult> {
    const body = ctx.body?.json;
    const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const user = b.username ?? b.consumer;
    const password = b.password;
    if (typeof user !== 'string' || user === '' || typeof password !== 'string') return malformed(loginPath);
    const label = `login:${user.slice(0, 64)}`;
    const done = (r: PasswordCheck): VerifyResult =>
      r.ok ? { consumer: user, credential: label, via: 'login', scopes: [], roles: [] } : withTried(invalid(user, r.why), label);
    const r = check(user, password, `login\u0000${user}\u0000${password}`);
    return r instanceof Promise ? r.then(done) : done(r);
  };
}

function malformed(path: string): Denial {
  const hint = `POST ${path} with a JSON body {"username": "...", "password": "..."}.`;
  return {
    code: 'authn.credential_malformed',
    ruleId: 'authn.sessions.loginPath',
    detail: 'the login body is not a JSON object with string username (or consumer) and password',
    hint,
    evidence: [{ where: 'body', expected: '{"username", "password"}', observed: 'another shape' }],
    fixes: [{ who: 'client', action: hint, proved: false, retryable: false }],
  };
}

function invalid(user: string, why: string): Denial {
  const hint = 'The user name or password is not valid.';
  return {
    code: 'authn.password_invalid',
    ruleId: 'authn.sessions.loginPath',
    detail: `login as ${JSON.stringify(user.slice(0, 64))} refused: ${why}`,
    hint,
    evidence: [{ where: 'body', expected: 'the password of a consumer that has one', observed: why }],
    fixes: [{ who: 'client', action: 'Check the user name and password.', proved: false, retryable: false }],
  };
}
