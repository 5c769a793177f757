import type { IncomingMessage } from 'node:http';
import type { Config } from '../config/schema.ts';
import { KEY_PREFIX } from '../layers/authn/api-key/format.ts';
import type { RequestDescription } from '../pipeline/types.ts';

const BEARER_KEY = new RegExp(`^bearer ${KEY_PREFIX}`, 'i');

/**
 * An API key is the gateway's credential, not the upstream's. Once the gateway accepted one,
 * the key is taken out of what is forwarded (the key header, an `Authorization: Bearer` that
 * carries a key, the query parameter on routes that accept keys there), so it never ends up in
 * an upstream's logs or in a service that has no business holding it. Any other Authorization
 * value (a token for the upstream) is forwarded as before.
 *
 * The call log keeps the headers as received (and redacts them itself): `desc.headers` is
 * given its own copy before the request's headers are changed. Returns the query to forward.
 */
export function stripApiKey(req: IncomingMessage, desc: RequestDescription, apiKeys: Config['authn']['apiKeys']): string {
  const headers = req.headers;
  const header = apiKeys.header.toLowerCase();
  const auth = headers.authorization;
  const inBearer = typeof auth === 'string' && BEARER_KEY.test(auth);
  if (headers[header] !== undefined || inBearer) {
    desc.headers = { ...headers };
    // Cleared rather than deleted (a delete turns the object into a slow dictionary); the proxy skips unset headers.
    headers[header] = undefined;
    if (inBearer) headers.authorization = undefined;
  }
  return withoutParam(desc.query, apiKeys.queryParam);
}

/** Basic credentials the gateway accepted carry a consumer's password: never forwarded either. */
export function stripAuthorization(req: IncomingMessage, desc: RequestDescription): void {
  if (req.headers.authorization === undefined) return;
  desc.headers = { ...req.headers };
  delete req.headers.authorization;
}

/** A session cookie the gateway accepted is its own too: taken out of Cookie, the other cookies stay. */
export function stripCookie(req: IncomingMessage, desc: RequestDescription, name: string): void {
  const cookie = req.headers.cookie;
  if (cookie === undefined) return;
  desc.headers = { ...req.headers };
  const rest = cookie.split(';').map((c) => c.trim()).filter((c) => c !== '' && c.slice(0, c.indexOf('=')).trim() !== name);
  if (rest.length) req.headers.cookie = rest.join('; ');
  else delete req.headers.cookie;
}

/** The raw query without `name=...` pairs; the other pairs keep their exact bytes. */
function withoutParam(query: string, name: string): string {
  if (query === '' || !query.includes(name)) return query;
  return query
    .split('&')
    .filter((pair) => {
      const eq = pair.indexOf('=');
      return (eq === -1 ? pair : pair.slice(0, eq)) !== name;
    })
    .join('&');
}
