import type { Config } from '../../config/schema.ts';
import { firstMatch, parseAddress, parseRange } from './address.ts';

/** The client's address as the gateway derived it, and how. */
export interface DerivedAddress {
  clientIp: string;
  /** How clientIp was found, for the operator ("peer", or the walk of the forwarding header). */
  via: string;
  /** The scheme the client used: a trusted proxy's X-Forwarded-Proto, else the listener's. */
  proto?: string;
}

export type HeaderBag = Record<string, string | string[] | undefined>;

/**
 * Derives the client address of a request from its socket peer and forwarding headers;
 * compiled from `ip.trustedProxies` at config load, called once per request by describe.
 */
export type DeriveClientAddress = (peer: string, headers: HeaderBag) => DerivedAddress;

const PEER: DerivedAddress = { clientIp: '', via: 'peer' };

/**
 * The client address is the socket peer unless the peer is a trusted proxy. Then the
 * forwarding header (`ip.forwardedHeader`, one only: a client can send the other one itself)
 * is walked from the right, the end that the trusted proxies wrote, and the first hop that is
 * not a trusted proxy is the client. What a client writes itself stays on the left, behind its
 * real address, and is never reached. A hop that is not an address (garbage, "unknown", an
 * obfuscated identifier, "127.1") stops the walk: the last trusted hop is then the client.
 */
export function compileClientAddress(config: Config): DeriveClientAddress | undefined {
  const ip = config.ip;
  const trusted = ip.trustedProxies.map((t) => parseRange(t)!);
  if (trusted.length === 0) return undefined;
  const header = ip.forwardedHeader;
  const label = header === 'forwarded' ? 'Forwarded' : 'X-Forwarded-For';
  const trusts = (a: string) => {
    const parsed = parseAddress(a);
    return parsed !== undefined && firstMatch(parsed, trusted) !== undefined;
  };
  return (peer, headers) => {
    if (!trusts(peer)) return { ...PEER, clientIp: peer };
    const value = joined(headers[header]);
    const proto = trustedProto(headers['x-forwarded-proto']);
    if (value === undefined) return { clientIp: peer, via: `peer ${peer} is a trusted proxy but sent no ${label}`, proto };
    const hops = header === 'forwarded' ? forwardedFor(value) : xffEntries(value);
    let last = peer;
    const walked: string[] = [peer];
    for (let i = 0; i < hops.length; i++) {
      const hop = hops[i];
      const addr = hop === undefined ? undefined : parseAddress(hop);
      const where = `${label} entry ${i + 1} from the right`;
      if (addr === undefined) {
        return { clientIp: last, via: `${where} (${JSON.stringify(clip(hop ?? ''))}) is not an address; the last trusted hop ${last} is taken (trusted: ${walked.join(' ← ')})`, proto };
      }
      if (!trusts(hop!)) return { clientIp: hop!, via: `${where}, after trusted proxies ${walked.join(' ← ')}`, proto };
      walked.push(hop!);
      last = hop!;
    }
    return { clientIp: last, via: `every hop is a trusted proxy (${walked.join(' ← ')}); the leftmost is taken`, proto };
  };

  function trustedProto(v: string | string[] | undefined): string | undefined {
    const all = joined(v);
    if (all === undefined) return undefined;
    // The proxy next to the gateway wrote the rightmost value.
    const last = all.slice(all.lastIndexOf(',') + 1).trim().toLowerCase();
    return last === 'https' || last === 'http' ? last : undefined;
  }
}

function joined(v: string | string[] | undefined): string | undefined {
  if (v === undefined) return undefined;
  return typeof v === 'string' ? v : v.join(', ');
}

function clip(s: string): string {
  return s.length > 64 ? s.slice(0, 64) + '…' : s;
}

/**
 * X-Forwarded-For entries, rightmost first, with ports and IPv6 brackets taken off
 * ("[2001:db8::1]:443" → "2001:db8::1", "192.0.2.1:8080" → "192.0.2.1").
 */
export function xffEntries(value: string): (string | undefined)[] {
  const parts = value.split(',');
  const out: (string | undefined)[] = [];
  for (let i = parts.length - 1; i >= 0; i--) out.push(hostOfNode(parts[i].trim()));
  return out;
}

/** "[v6]:port" / "[v6]" / "v4:port" / bare address → the address text; undefined when empty. */
function hostOfNode(node: string): string | undefined {
  if (node === '') return undefined;
  if (node.startsWith('[')) {
    const end = node.indexOf(']');
    if (end === -1) return undefined;
    const rest = node.slice(end + 1);
    if (rest !== '' && !/^:\d{1,5}$/.test(rest)) return undefined;
    return node.slice(1, end);
  }
  const colon = node.indexOf(':');
  // One colon: IPv4 with a port. Several: a bare IPv6 address.
  if (colon !== -1 && colon === node.lastIndexOf(':')) return /^\d{1,5}$/.test(node.slice(colon + 1)) ? node.slice(0, colon) : undefined;
  return node;
}

/**
 * The `for=` nodes of a Forwarded header (RFC 7239), rightmost element first. Parsed from the
 * right on purpose (and by hand: forwarded-parse reads the whole header and throws on any bad
 * element): the left part is whatever the client sent, and an unbalanced quote or a broken
 * element there must not hide the elements the trusted proxies appended after it.
 */
export function forwardedFor(value: string): (string | undefined)[] {
  const out: (string | undefined)[] = [];
  let end = value.length;
  let inQuote = false;
  for (let i = value.length - 1; i >= -1; i--) {
    const c = i >= 0 ? value[i] : ',';
    if (c === '"' && !escaped(value, i)) inQuote = !inQuote;
    else if (c === ',' && !inQuote) {
      out.push(forOf(value.slice(i + 1, end)));
      end = i;
    }
  }
  return out;
}

function escaped(s: string, i: number): boolean {
  let n = 0;
  for (let j = i - 1; j >= 0 && s[j] === '\\'; j--) n++;
  return n % 2 === 1;
}

/** The node of one element's for= parameter, unquoted; undefined when absent or malformed. */
function forOf(element: string): string | undefined {
  for (const pair of element.split(';')) {
    const eq = pair.indexOf('=');
    if (eq === -1 || pair.slice(0, eq).trim().toLowerCase() !== 'for') continue;
    let v = pair.slice(eq + 1).trim();
    if (v.startsWith('"')) {
      if (v.length < 2 || !v.endsWith('"')) return undefined;
      v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    }
    return hostOfNode(v);
  }
  return undefined;
}
