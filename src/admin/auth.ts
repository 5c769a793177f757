import { createHash, timingSafeEqual } from 'node:crypto';

export type TokenCheck = 'ok' | 'missing' | 'invalid' | 'not_configured';

/**
 * Compiles the bearer-token check once. Both sides are hashed with SHA-256 before the
 * constant-time comparison, so neither the time taken nor an early length mismatch tells
 * a caller anything about the configured token.
 */
export function bearerTokenCheck(token: string | undefined): (authorization: string | undefined) => TokenCheck {
  if (token === undefined || token === '') return () => 'not_configured';
  const expected = digest(token);
  return (authorization) => {
    const presented = bearerToken(authorization);
    if (presented === undefined) return 'missing';
    return timingSafeEqual(digest(presented), expected) ? 'ok' : 'invalid';
  };
}

/** The token of an `Authorization: Bearer <token>` header (RFC 6750 §2.1), or undefined. */
export function bearerToken(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  const m = /^Bearer[ \t]+([^\s]+)[ \t]*$/i.exec(authorization);
  return m ? m[1] : undefined;
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}
