import { isIPv6 } from 'node:net';

/**
 * Host header checks (RFC 9112 §3.2: a request with more than one Host line or an invalid
 * Host value gets 400). Stricter than RFC 3986's reg-name on purpose: a DNS name, an IPv4
 * address or a bracketed IPv6 address, and an optional port. Sub-delims, userinfo and
 * empty ports are legal in a URI but never legitimate in a Host header, and each is a way
 * to make the router and an upstream read different hosts.
 */
const HOST = /^(?:\[([0-9A-Fa-f:.]+)\]|[A-Za-z0-9_](?:[A-Za-z0-9._-]{0,252}))(?::([0-9]{1,5}))?$/;

/** Nearly every request carries the same Host: the last valid value skips the regex. */
let lastValid = '';

/** Why `value` is not a valid Host header value, or undefined when it is. */
export function hostValueProblem(value: string): string | undefined {
  if (value === lastValid && value !== '') return undefined;
  const problem = checkHost(value);
  if (problem === undefined) lastValid = value;
  return problem;
}

function checkHost(value: string): string | undefined {
  if (value === '') return 'the Host header is empty';
  const m = HOST.exec(value);
  if (!m) return 'the Host header is not host[:port] (a DNS name, an IPv4 address or a bracketed IPv6 address)';
  if (m[1] !== undefined && !isIPv6(m[1])) return 'the bracketed part of the Host header is not an IPv6 address';
  if (m[2] !== undefined && Number(m[2]) > 65535) return 'the port in the Host header is above 65535';
  return undefined;
}

/**
 * How many Host lines the request carried. Node keeps only the first Host in `headers`,
 * so the raw header list is the one place a second one shows.
 */
export function hostLineCount(rawHeaders: readonly string[] | undefined, host: string | string[] | undefined): number {
  if (!rawHeaders) return host === undefined ? 0 : Array.isArray(host) ? host.length : 1;
  let n = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i];
    if (name.length === 4 && name.toLowerCase() === 'host') n++;
  }
  return n;
}
