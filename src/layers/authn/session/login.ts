import { randomBytes } from 'node:crypto';
import type { Config } from '../../../config/schema.ts';
import type { Denial } from '../../../decision/types.ts';
import { hashPassword, verifyPassword } from '../basic/password.ts';
import { MissingSecretError } from '../introspection/index.ts';
import { withTried, type PasswordIndex } from '../types.ts';
import { signSession } from './cookie.ts';
import { sessionChallenge, type SessionSettings } from './verify.ts';

export interface LoginSuccess {
  consumer: string;
  credential: string;
  /** The Set-Cookie header value. */
  setCookie: string;
  expiresAt: number;
}

/** The login route the gateway serves itself (authn.sessions.loginPath). */
export interface LoginService {
  path: string;
  /** The challenge a refused login carries (the same as a session route's). */
  challenge: string;
  login(body: unknown): Promise<LoginSuccess | Denial>;
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

export function loginService(config: Config, s: SessionSettings, passwords: PasswordIndex, isConsumer: (name: string) => boolean): LoginService {
  const c = config.authn.sessions!;
  const attributes = `Path=/; HttpOnly; SameSite=${c.sameSite}${c.secure ? '; Secure' : ''}; Max-Age=${c.ttlS}`;
  let decoy: Promise<string> | undefined;
  return {
    path: c.loginPath,
    challenge: sessionChallenge(s),
    async login(body: unknown): Promise<LoginSuccess | Denial> {
      const b = (body ?? {}) as Record<string, unknown>;
      const user = b.username ?? b.consumer;
      const password = b.password;
      if (typeof user !== 'string' || user === '' || typeof password !== 'string') return malformed(c.loginPath);
      const label = `login:${user.slice(0, 64)}`;
      const record = isConsumer(user) ? passwords.password(user) : undefined;
      const ok = record ? await verifyPassword(password, record.hash) : (await verifyPassword(password, await (decoy ??= hashPassword(randomBytes(16).toString('hex')))), false);
      if (!ok || !record) return withTried(invalid(user, record ? 'the password does not match' : isConsumer(user) ? 'the consumer has no password' : 'no consumer has this name'), label);
      const expiresAt = Math.floor(Date.now() / 1000) + c.ttlS;
      const value = signSession(s.key, { consumer: user, expiresAt, passwordStamp: record.updatedAt });
      return { consumer: user, credential: `session:${user}`, setCookie: `${c.cookie}=${value}; ${attributes}`, expiresAt };
    },
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
