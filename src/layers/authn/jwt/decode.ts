/**
 * Reads a compact JWS without trusting it: its header and claims, or the precise reason it
 * is not a JWT at all. Only used to choose the issuer, refuse forbidden algorithms early and
 * word the denials; the signature check that makes the claims trustworthy is jose's.
 */

export interface UnverifiedToken {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
}

export type Decoded = { ok: true; token: UnverifiedToken } | { ok: false; expected: string; observed: string };

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const PARTS = ['header', 'payload', 'signature'] as const;

/** Two dots: the form a verifier looks at before deciding the credential is a JWT. */
export function looksLikeJwt(value: string): boolean {
  const first = value.indexOf('.');
  if (first < 0) return false;
  const second = value.indexOf('.', first + 1);
  return second > 0 && value.indexOf('.', second + 1) < 0;
}

export function decodeToken(value: string): Decoded {
  const parts = value.split('.');
  if (parts.length !== 3) return bad('3 parts separated by dots (header.payload.signature)', `${parts.length} parts`);
  // An empty signature is left to the algorithm check: it is how `alg: none` tokens look.
  for (let i = 0; i < 3; i++) {
    if (!BASE64URL.test(parts[i]) && !(i === 2 && parts[i] === '')) {
      return bad(`the ${PARTS[i]} in base64url`, parts[i] === '' ? `an empty ${PARTS[i]}` : `characters outside base64url in the ${PARTS[i]}`);
    }
  }
  const header = jsonObject(parts[0]);
  if (!header) return bad('the header as a base64url JSON object', 'a header that is not a JSON object');
  const claims = jsonObject(parts[1]);
  if (!claims) return bad('the payload as a base64url JSON object of claims', 'a payload that is not a JSON object');
  return { ok: true, token: { header, claims } };
}

function jsonObject(part: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function bad(expected: string, observed: string): Decoded {
  return { ok: false, expected, observed };
}

/**
 * A claim or header value as it may be shown in evidence and logs: a short, printable
 * string. Claims of an unverified token are the caller's words, never trusted or echoed raw.
 */
export function shown(v: unknown, max = 80): string {
  if (v === undefined) return 'absent';
  const s = typeof v === 'string' ? v : JSON.stringify(v) ?? String(v);
  const printable = s.replace(/[^\x20-\x7e]/g, '?');
  return printable.length > max ? printable.slice(0, max) + '...' : printable;
}
