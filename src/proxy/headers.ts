import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { ForwardInfo } from './types.ts';

/**
 * Headers that describe one connection, not the message (RFC 9110 §7.6.1), plus the ones
 * addressed to a proxy. They never cross the gateway in either direction.
 */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'proxy-authenticate', 'proxy-authorization'];

/**
 * Request headers the gateway drops or writes itself: Host is the upstream's (the pool
 * sets it), Expect is answered by the gateway, the forwarding headers and the request id
 * are ours. Content-Length is kept: the pool uses it to frame the streamed body.
 */
const REQUEST_SKIP: ReadonlySet<string> = new Set([...HOP_BY_HOP, 'host', 'expect', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'forwarded', 'x-request-id']);

/** Response headers not copied back: hop-by-hop ones, and the request id (the gateway's wins). */
const RESPONSE_SKIP: ReadonlySet<string> = new Set([...HOP_BY_HOP, 'x-request-id']);

/**
 * The header list sent upstream, as the flat [name, value, name, value] array undici takes.
 * One pass over the headers node already parsed; the forwarding headers are appended.
 */
export function upstreamHeaders(headers: IncomingHttpHeaders, info: ForwardInfo): string[] {
  const out: string[] = [];
  const conn = headers.connection;
  const listed = conn === undefined || PLAIN_CONNECTION.test(conn) ? null : connectionTokens(conn);
  for (const name in headers) {
    if (REQUEST_SKIP.has(name) || (listed !== null && listed.includes(name))) continue;
    const value = headers[name];
    if (value === undefined) continue;
    if (typeof value === 'string') out.push(name, value);
    else for (const v of value) out.push(name, v);
  }
  const ip = info.clientIp || 'unknown';
  const xff = headers['x-forwarded-for'];
  out.push('x-forwarded-for', xff ? `${xff}, ${ip}` : ip, 'x-forwarded-proto', info.proto);
  if (info.host) out.push('x-forwarded-host', info.host);
  const fwd = headers.forwarded;
  const element = forwardedElement(ip, info.host, info.proto);
  out.push('forwarded', fwd ? `${fwd}, ${element}` : element, 'x-request-id', info.requestId);
  return out;
}

/** One RFC 7239 element: for=...;host=...;proto=... with IPv6 and non-token values quoted. */
export function forwardedElement(ip: string, host: string, proto: string): string {
  const forPart = ip.includes(':') ? `for="[${ip}]"` : `for=${ip}`;
  const hostPart = host ? `;host=${tokenOrQuoted(host)}` : '';
  return `${forPart}${hostPart};proto=${proto}`;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function tokenOrQuoted(value: string): string {
  return TOKEN.test(value) ? value : `"${value.replace(/["\\]/g, '\\$&')}"`;
}

/** The usual Connection values name no other header: no need to parse them. */
const PLAIN_CONNECTION = /^(?:keep-alive|close)$/i;

/** Lowercased header names listed in a Connection header. */
export function connectionTokens(value: string | string[]): string[] {
  const joined = typeof value === 'string' ? value : value.join(',');
  const out: string[] = [];
  for (const part of joined.split(',')) {
    const t = part.trim().toLowerCase();
    if (t) out.push(t);
  }
  return out;
}

/**
 * Sets headers the pipeline added to this request's response (CORS, rate limits, cookies) on
 * `res`, before a problem or the upstream's answer is written. The gateway's value replaces an
 * upstream header of the same name (two Access-Control-Allow-Origin lines would make a browser
 * refuse the response: copyResponseHeaders skips the upstream's, see ownsHeader); Vary and
 * Set-Cookie are lists, so the upstream's are added after ours.
 */
export function setGatewayHeaders(res: ServerResponse, headers: GatewayHeaders): void {
  for (const name in headers) {
    if (LIST_HEADERS.has(name)) res.appendHeader(name, headers[name]);
    else res.setHeader(name, headers[name]);
  }
}

/** Headers layers add to a response, by lowercase name (EvalContext.responseHeaders). */
export type GatewayHeaders = Record<string, string>;

/** Headers whose upstream lines are kept after the gateway's. */
const LIST_HEADERS: ReadonlySet<string> = new Set(['vary', 'set-cookie']);

/**
 * Whether the gateway set this (lowercase) header itself, so the upstream's line is dropped.
 * The names are read from the headers object the gateway set, not remembered on the response:
 * a property added to every ServerResponse would cost each request more than this lookup.
 */
function ownsHeader(gateway: GatewayHeaders | undefined, lower: string): boolean {
  return gateway !== undefined && Object.hasOwn(gateway, lower) && !LIST_HEADERS.has(lower);
}

/**
 * Copies the upstream's response headers (raw name/value buffers, duplicates and all, so
 * several Set-Cookie lines stay several) onto the client response. Throws when node refuses
 * a name or value; the caller then undoes the copy with clearCopiedHeaders.
 */
export function copyResponseHeaders(res: ServerResponse, raw: Buffer[], gateway?: GatewayHeaders): void {
  let listed: string[] | null = null;
  // A Connection header may list names that come before it: find it first (a length check
  // keeps this pass nearly free).
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.length === 10 && raw[i]!.toString('latin1').toLowerCase() === 'connection') {
      const value = raw[i + 1]!.toString('latin1');
      if (PLAIN_CONNECTION.test(value)) continue;
      const tokens = connectionTokens(value);
      listed = listed === null ? tokens : listed.concat(tokens);
    }
  }
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toString('latin1');
    const lower = name.toLowerCase();
    if (RESPONSE_SKIP.has(lower) || (listed !== null && listed.includes(lower)) || ownsHeader(gateway, lower)) continue;
    res.appendHeader(name, raw[i + 1]!.toString('latin1'));
  }
}

/** Undoes copyResponseHeaders after it threw, before a problem response is written. */
export function clearCopiedHeaders(res: ServerResponse, raw: Buffer[], gateway?: GatewayHeaders): void {
  for (let i = 0; i < raw.length; i += 2) {
    const lower = raw[i]!.toString('latin1').toLowerCase();
    if (!RESPONSE_SKIP.has(lower) && !ownsHeader(gateway, lower)) res.removeHeader(lower);
  }
}
