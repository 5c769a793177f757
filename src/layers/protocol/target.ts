/**
 * Request-target checks (RFC 9112 §3.2, RFC 3986). The HTTP parser already refuses raw
 * control bytes, spaces and non-ASCII bytes in the target; these checks refuse what it lets
 * through but an upstream could read differently from the router: a malformed or encoded
 * NUL/control escape, characters that must be percent-encoded, dot segments, fragments.
 */

export interface TargetProblem {
  rule: string;
  where: 'target' | 'path' | 'query';
  detail: string;
  hint: string;
  expected: string;
  /** Index in the checked text where the problem starts. */
  at: number;
}

/** RFC 3986 pchar and "/": unreserved, sub-delims, ":" and "@". '%' is checked apart. */
const PATH_CHARS = charTable("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/");

function charTable(chars: string): Uint8Array {
  const t = new Uint8Array(128);
  for (const ch of chars) t[ch.charCodeAt(0)] = 1;
  return t;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  return l >= 97 && l <= 102 ? l - 87 : -1;
}

/** The byte of the %XX escape at `i` (which holds '%'), or -1 when it is not two hex digits. */
function escapeAt(s: string, i: number): number {
  if (i + 2 >= s.length) return -1;
  const hi = hexValue(s.charCodeAt(i + 1));
  const lo = hexValue(s.charCodeAt(i + 2));
  return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

function hex(byte: number): string {
  return '%' + byte.toString(16).toUpperCase().padStart(2, '0');
}

function badEscape(where: 'path' | 'query', at: number): TargetProblem {
  return {
    rule: 'percent-encoding',
    where,
    at,
    detail: `the ${where} has a '%' at position ${at} that is not followed by two hexadecimal digits`,
    hint: `The ${where} has a '%' that is not followed by two hexadecimal digits; encode a literal '%' as %25.`,
    expected: "'%' followed by two hexadecimal digits",
  };
}

/** Checks the path (still percent-encoded, without the query). */
export function checkPath(path: string): TargetProblem | undefined {
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c === 0x25) {
      const byte = escapeAt(path, i);
      if (byte < 0) return badEscape('path', i);
      if (byte < 0x20 || byte === 0x7f) {
        const what = byte === 0 ? 'an encoded NUL byte (%00)' : `an encoded control character (${hex(byte)})`;
        return {
          rule: 'encoded-control',
          where: 'path',
          at: i,
          detail: `the path contains ${what} at position ${i}`,
          hint: `The path contains ${what}, which the gateway never forwards; remove it.`,
          expected: 'no encoded NUL or control characters',
        };
      }
      i += 2;
      continue;
    }
    if (c >= 128 || PATH_CHARS[c] !== 1) {
      const shown = c > 0x20 && c < 0x7f ? `'${path[i]}'` : hex(c & 0xff);
      const fragment = c === 0x23;
      return {
        rule: fragment ? 'fragment' : 'path-character',
        where: 'path',
        at: i,
        detail: fragment ? `the request target carries a fragment ('#') at position ${i}` : `the path contains ${shown} at position ${i}`,
        hint: fragment
          ? "The request target contains '#'; a fragment is never sent to the server, remove it."
          : `The path contains the character ${shown}, which must be percent-encoded (RFC 3986).`,
        expected: 'RFC 3986 path characters; anything else percent-encoded',
      };
    }
  }
  return dotSegment(path);
}

/**
 * '.' and '..' segments, raw or encoded (%2E), also behind encoded slashes (%2F, %5C):
 * the router matches the path as sent, an upstream that resolves them may reach another
 * resource (/public/..%2Fadmin).
 */
function dotSegment(path: string): TargetProblem | undefined {
  // A dot segment starts after '/', or after an encoded slash ('%2F', '%5C'), or is encoded ('%2E').
  if (!path.includes('/.') && !path.includes('%2') && !path.includes('%5')) return undefined;
  const segments = path.replace(/%2f|%5c/gi, '/').split('/');
  for (const seg of segments) {
    if (seg.length > 6) continue;
    const s = seg.replace(/%2e/gi, '.');
    if (s === '.' || s === '..') {
      return {
        rule: 'dot-segment',
        where: 'path',
        at: path.indexOf(seg),
        detail: `the path contains the dot segment '${seg}'`,
        hint: "The path contains a '.' or '..' segment (possibly encoded); resolve it before sending (RFC 3986 section 5.2.4).",
        expected: "no '.' or '..' segments",
      };
    }
  }
  return undefined;
}

/** Checks the query (without '?'): only well-formed escapes and no fragment. */
export function checkQuery(query: string): TargetProblem | undefined {
  for (let i = query.indexOf('%'); i !== -1; i = query.indexOf('%', i + 1)) {
    if (escapeAt(query, i) < 0) return badEscape('query', i);
  }
  const hash = query.indexOf('#');
  if (hash !== -1) {
    return {
      rule: 'fragment',
      where: 'query',
      at: hash,
      detail: `the request target carries a fragment ('#') at position ${hash} of the query`,
      hint: "The request target contains '#'; a fragment is never sent to the server, remove it.",
      expected: "no '#'",
    };
  }
  return undefined;
}

export type TargetForm = { form: 'origin' | 'asterisk' } | { form: 'absolute'; originPath: string } | { form: 'invalid'; problem: TargetProblem };

/**
 * Which form the target is in (RFC 9112 §3.2). Absolute-form is accepted only when its
 * authority is exactly the Host header, so the router and the upstream agree on the host;
 * it is then served as the origin-form path. Asterisk-form is only for OPTIONS.
 */
export function targetForm(path: string, method: string, hostHeader: string | undefined): TargetForm {
  if (path.charCodeAt(0) === 0x2f) return { form: 'origin' };
  if (path === '*') {
    if (method === 'OPTIONS') return { form: 'asterisk' };
    return invalidForm("'*' as request target is only for OPTIONS", "The request target '*' is only allowed with OPTIONS; send a path starting with '/'.");
  }
  const scheme = /^https?:\/\//i.exec(path);
  if (!scheme) {
    return invalidForm('the request target is not a path starting with /', "Send the request target as a path starting with '/' (origin-form), with the host in the Host header.");
  }
  const rest = path.slice(scheme[0].length);
  const slash = rest.indexOf('/');
  const authority = slash === -1 ? rest : rest.slice(0, slash);
  if (authority.includes('@')) {
    return invalidForm('the absolute-form target carries user information', 'Do not put credentials in the URL; send the path only, with the host in the Host header.');
  }
  if (hostHeader === undefined || authority.toLowerCase() !== hostHeader.toLowerCase()) {
    return invalidForm(
      'the authority of the absolute-form target differs from the Host header',
      "The host in an absolute URL must equal the Host header; send the path only (origin-form) and the host in the Host header.",
    );
  }
  return { form: 'absolute', originPath: slash === -1 ? '/' : rest.slice(slash) };
}

function invalidForm(detail: string, hint: string): TargetForm {
  return { form: 'invalid', problem: { rule: 'target-form', where: 'target', at: 0, detail, hint, expected: "origin-form '/path?query'" } };
}
