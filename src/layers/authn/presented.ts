import type { Denial } from '../../decision/types.ts';
import type { RequestDescription } from '../../pipeline/types.ts';
import { cookieValue } from './session/cookie.ts';
import type { Presented } from './types.ts';

export interface PresentedOptions {
  /** Lowercased header name for API keys. */
  keyHeader: string;
  keyQueryParam: string;
  keyInQuery: boolean;
  /** The session cookie's name, on routes that accept sessions only (browsers send cookies everywhere). */
  sessionCookie?: string;
}

/**
 * Reads the credentials a request presents, refusing the malformed ones with a precise
 * reason (wrong scheme, stray whitespace, repeated header). Nothing is looked up here.
 */
export function presentedCredentials(req: RequestDescription, o: PresentedOptions): Presented[] | Denial {
  const out: Presented[] = [];
  const keyHeader = req.headers[o.keyHeader];
  if (keyHeader !== undefined) {
    const where = `header:${o.keyHeader}`;
    if (Array.isArray(keyHeader)) return malformed(where, 'one header', `${keyHeader.length} headers`, `Send the ${o.keyHeader} header once.`);
    if (keyHeader !== keyHeader.trim() || keyHeader === '') return malformed(where, 'a key without spaces', describeSpaces(keyHeader), `Remove the spaces around the key in ${o.keyHeader}.`);
    out.push({ kind: 'apiKey', value: keyHeader, where });
  }
  const auth = req.headers.authorization;
  if (auth !== undefined) {
    const where = 'header:Authorization';
    if (Array.isArray(auth)) return malformed(where, 'one Authorization header', `${auth.length} headers`, 'Send one Authorization header.');
    const m = /^([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*) ([^\s]+)$/.exec(auth);
    if (!m) return malformed(where, '<scheme> <credentials>, one space', describeSpaces(auth), 'Send "Authorization: Bearer <token>" with exactly one space and no trailing spaces.');
    const scheme = m[1].toLowerCase();
    if (scheme === 'bearer') out.push({ kind: 'bearer', value: m[2], where });
    else if (scheme === 'basic') out.push({ kind: 'basic', value: m[2], where });
    else return malformed(where, 'scheme Bearer or Basic', `scheme ${m[1].slice(0, 20)}`, 'Use the Bearer scheme for tokens and API keys.');
  }
  const cookie = req.headers.cookie;
  if (o.sessionCookie && typeof cookie === 'string') {
    const value = cookieValue(cookie, o.sessionCookie);
    if (value) out.push({ kind: 'cookie', value, where: `cookie:${o.sessionCookie}` });
  }
  if (o.keyQueryParam && req.query.includes(o.keyQueryParam + '=')) {
    const value = new URLSearchParams(req.query).get(o.keyQueryParam);
    if (value) {
      if (!o.keyInQuery) {
        return {
          code: 'authn.key_in_query_not_allowed',
          ruleId: 'authn.apiKeys.queryParam',
          detail: `an API key was sent in the query parameter ${o.keyQueryParam}; this route does not accept keys in the URL`,
          hint: `Send the key in a header, not in the URL (URLs end up in logs and browser history). The key may now be exposed: consider rotating it.`,
          evidence: [{ where: `query:${o.keyQueryParam}`, expected: 'no key in the URL', observed: '[redacted]' }],
          fixes: [
            { who: 'client', action: `Send the key in the ${o.keyHeader} header and rotate it.`, proved: false, retryable: false },
            { who: 'operator', action: 'Set apiKeyInQuery: true on the route only if clients cannot send headers.', proved: false, retryable: false },
          ],
        };
      }
      out.push({ kind: 'apiKey', value, where: `query:${o.keyQueryParam}` });
    }
  }
  return out;
}

function describeSpaces(v: string): string {
  if (v === '') return 'an empty value';
  if (v !== v.trimStart()) return 'leading whitespace';
  if (v !== v.trimEnd()) return 'trailing whitespace';
  return /\s{2,}/.test(v) ? 'more than one space' : 'no credentials after the scheme';
}

function malformed(where: string, expected: string, observed: string, hint: string): Denial {
  return {
    code: 'authn.credential_malformed',
    ruleId: 'authn.presented',
    detail: `${where}: expected ${expected}, got ${observed}`,
    hint,
    evidence: [{ where, expected, observed }],
    fixes: [{ who: 'client', action: hint, proved: false, retryable: false }],
  };
}
