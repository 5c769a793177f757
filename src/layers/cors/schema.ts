import { z } from 'zod';

/**
 * The cors layer's part of the config schema (src/config/schema.ts spreads these in).
 * routeShape: keys of a route; topShape: top-level keys; consumerShape / tenantShape:
 * keys of a consumer / tenant. Every key is optional or has a default, so configs
 * that do not use this layer stay valid.
 */
const ORIGIN = /^(\*|null|https?:\/\/(\*\.)?[a-z0-9.-]+(:\d{1,5})?)$/;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const Cors = z
  .strictObject({
    origins: z
      .array(z.string().regex(ORIGIN, 'an origin is scheme://host[:port] with no path (https://app.example.com), https://*.example.com for its subdomains, * for any, or null'))
      .min(1)
      .describe('Origins whose pages may call: exact (https://app.example.com, lowercase, no path), a subdomain pattern (https://*.example.com), or * (any origin, not with credentials).'),
    methods: z
      .array(z.string().regex(/^[A-Z][A-Z-]*$/, 'a method in capitals, e.g. PUT'))
      .min(1)
      .optional()
      .describe('Methods allowed cross-origin; absent: the methods the route serves.'),
    headers: z
      .array(z.string().regex(TOKEN, 'a header name'))
      .default([])
      .describe('Request headers a page may send besides the CORS-safelisted ones (e.g. content-type for JSON, x-api-key, x-csrf-token); * for any (not with credentials).'),
    exposeHeaders: z
      .array(z.string().regex(TOKEN, 'a header name'))
      .default([])
      .describe('Response headers a page may read besides the safelisted ones; X-Request-Id is always exposed.'),
    credentials: z.boolean().default(false).describe('Whether pages may send cookies and HTTP authentication (Access-Control-Allow-Credentials).'),
    maxAgeS: z.number().int().min(0).max(86400).default(600).describe('How long a browser may cache a preflight answer (Access-Control-Max-Age).'),
  })
  .superRefine((c, ctx) => {
    if (!c.credentials) return;
    const i = c.origins.indexOf('*');
    if (i !== -1) ctx.addIssue({ code: 'custom', path: ['origins', i], message: 'with credentials: true, list the origins: browsers refuse * for credentialed requests, and echoing any origin would let every site act with the user\'s cookies' });
    const h = c.headers.indexOf('*');
    if (h !== -1) ctx.addIssue({ code: 'custom', path: ['headers', h], message: 'with credentials: true, list the headers: browsers read * literally for credentialed requests' });
  });

export const routeShape = {
  cors: z
    .union([z.literal(false), Cors])
    .optional()
    .describe('Cross-origin (CORS) rules of this route, replacing the gateway\'s `cors`; false: no CORS on this route (preflights are forwarded like any OPTIONS request).'),
};

export const topShape = {
  cors: Cors.optional().describe(
    'Cross-origin (CORS) rules of every route that sets none: the gateway answers preflights itself (allowed with 204, refused with a cors.* code) and adds Access-Control-* headers to the answers of allowed origins, problems included. A request from an origin that is not allowed is refused.',
  ),
};

export const consumerShape = {};
export const tenantShape = {};
