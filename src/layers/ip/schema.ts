import { z } from 'zod';
import { isRange } from './address.ts';

/**
 * The ip layer's part of the config schema (src/config/schema.ts spreads these in).
 * routeShape: keys of a route; topShape: top-level keys; consumerShape / tenantShape:
 * keys of a consumer / tenant. Every key is optional or has a default, so configs
 * that do not use this layer stay valid.
 */
const Entry = z
  .string()
  .refine(isRange, 'not an IP address or CIDR range: write IPv4 as four decimal parts (192.0.2.7, 10.0.0.0/8) or IPv6 (2001:db8::/32, ::1)');

const Lists = (owner: string) =>
  z
    .strictObject({
      allow: z.array(Entry).optional().describe(`When set, requests of ${owner} must come from one of these addresses or CIDR ranges (403 ip.address_not_allowed otherwise).`),
      deny: z.array(Entry).default([]).describe(`Addresses and CIDR ranges refused for ${owner} (403 ip.address_denied); deny wins over every allow list.`),
    })
    .optional()
    .describe(`Client address rules for ${owner}. Every list that applies must admit the address: the gateway's, the route's, and (once the caller is known) the tenant's and the consumer's.`);

export const routeShape = { ip: Lists('this route') };
export const tenantShape = { ip: Lists("this tenant's consumers") };
export const consumerShape = { ip: Lists('this consumer') };

export const topShape = {
  ip: z
    .strictObject({
      trustedProxies: z
        .array(Entry)
        .default([])
        .describe(
          'Proxies and load balancers in front of the gateway. When the socket peer is one of them, the client address is read from the forwarding header, walked from the right up to the first address that is not a trusted proxy. Empty: the client address is the socket peer, and forwarding headers sent by clients are ignored.',
        ),
      forwardedHeader: z
        .enum(['x-forwarded-for', 'forwarded'])
        .default('x-forwarded-for')
        .describe('The header your trusted proxies append to: X-Forwarded-For or Forwarded (RFC 7239). Only this one is read; the other could be written by the client itself.'),
      allow: z.array(Entry).optional().describe('When set, every request must come from one of these addresses or CIDR ranges (403 ip.address_not_allowed otherwise).'),
      deny: z.array(Entry).default([]).describe('Addresses and CIDR ranges refused on every route (403 ip.address_denied); deny wins over every allow list.'),
    })
    .prefault({})
    .describe('Client addresses: trusted proxies (how the address is derived) and the gateway-wide allow and deny lists. IPv4-mapped IPv6 addresses (::ffff:192.0.2.7) match IPv4 entries.'),
};
