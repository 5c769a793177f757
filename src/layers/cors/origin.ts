import type { RequestDescription } from '../../pipeline/types.ts';

const DEFAULT_PORT: Record<string, string> = { 'http:': '80', 'https:': '443' };

/**
 * An origin in its serialized form (RFC 6454 §6.2): scheme://host[:port], lowercased, the
 * default port dropped. undefined for what is not an http(s) origin ("null" stays "null").
 */
export function normalizeOrigin(value: string): string | undefined {
  if (value === 'null') return 'null';
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return undefined;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
  const port = u.port && u.port !== DEFAULT_PORT[u.protocol] ? `:${u.port}` : '';
  return `${u.protocol}//${u.hostname}${port}`;
}

/**
 * The gateway's own origin as this request addressed it: the scheme the client used (a trusted
 * proxy's X-Forwarded-Proto, else the listener's) and the Host header. A request whose Origin
 * is this one is same-origin.
 */
export function requestOrigin(req: RequestDescription): string | undefined {
  const host = req.headers.host;
  if (typeof host !== 'string' || host === '') return undefined;
  return normalizeOrigin(`${req.proto ?? 'http'}://${host}`);
}

/** The Origin header, when there is exactly one. */
export function originHeader(req: RequestDescription): string | undefined {
  const o = req.headers.origin;
  return typeof o === 'string' ? o : undefined;
}
