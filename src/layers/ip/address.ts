import ipaddr from 'ipaddr.js';

export type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** An address or CIDR range of a list, with the text it was written as (for decisions). */
export interface Range {
  base: Address;
  bits: number;
  text: string;
}

/**
 * A client address, strictly: dotted four-part decimal IPv4 or IPv6 (a zone id is dropped).
 * ipaddr.js alone also reads "127.1", "0x7f.0.0.1" and "2130706433" as 127.0.0.1; a forwarding
 * header or a list entry written that way is refused as not an address, never guessed at.
 * An IPv4-mapped IPv6 address (::ffff:10.1.2.3, how a dual-stack socket shows IPv4 peers) is
 * the IPv4 address it maps, so one list entry covers both forms.
 */
export function parseAddress(text: string): Address | undefined {
  if (text.includes(':')) {
    if (!ipaddr.IPv6.isValid(text)) return undefined;
    const v6 = ipaddr.IPv6.parse(text);
    return v6.isIPv4MappedAddress() ? v6.toIPv4Address() : v6;
  }
  return ipaddr.IPv4.isValidFourPartDecimal(text) ? ipaddr.IPv4.parse(text) : undefined;
}

/** "10.0.0.0/8", "2001:db8::/32", "192.0.2.7", "::ffff:10.0.0.0/104" (mapped, = 10.0.0.0/8). */
export function parseRange(text: string): Range | undefined {
  const slash = text.indexOf('/');
  const base = parseAddress(slash === -1 ? text : text.slice(0, slash));
  if (!base) return undefined;
  const full = base.kind() === 'ipv4' ? 32 : 128;
  if (slash === -1) return { base, bits: full, text };
  const bitsText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bitsText)) return undefined;
  let bits = Number(bitsText);
  // A mapped range was written in IPv6 bits: 96 of them are the ::ffff: prefix.
  if (base.kind() === 'ipv4' && text.slice(0, slash).includes(':')) bits -= 96;
  if (bits < 0 || bits > full) return undefined;
  return { base, bits, text };
}

export function inRange(a: Address, r: Range): boolean {
  return a.kind() === r.base.kind() && a.match(r.base, r.bits);
}

/** The first range of `list` that holds `a`, or undefined. */
export function firstMatch(a: Address, list: readonly Range[]): Range | undefined {
  for (const r of list) if (inRange(a, r)) return r;
  return undefined;
}

/** For the config schema: an address or CIDR range this module reads. */
export function isRange(text: string): boolean {
  return parseRange(text) !== undefined;
}
