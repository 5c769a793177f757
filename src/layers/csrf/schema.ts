import { z } from 'zod';

/**
 * The csrf layer's part of the config schema (src/config/schema.ts spreads these in).
 * routeShape: keys of a route; topShape: top-level keys; consumerShape / tenantShape:
 * keys of a consumer / tenant. Every key is optional or has a default, so configs
 * that do not use this layer stay valid.
 */
export const routeShape = {
  csrf: z
    .boolean()
    .optional()
    .describe('CSRF checks on this route (default: on for every route with a `session` authn entry). false turns them off: only for routes no browser page may change state through.'),
};

export const topShape = {
  csrf: z
    .strictObject({
      cookie: z.string().regex(/^[A-Za-z0-9_-]+$/).default('pp_csrf').describe('Name of the CSRF token cookie (readable by the page, SameSite=Strict).'),
      header: z.string().regex(/^[A-Za-z0-9-]+$/).default('x-csrf-token').describe('Request header that carries the token back (and response header that hands it out).'),
      formField: z
        .string()
        .min(1)
        .nullable()
        .default('_csrf')
        .describe('Form field that carries the token in urlencoded and multipart form posts, for pages without script. The bodies of session routes are then read (up to their maxBytes) to find it; null: the token is taken from the header only, and bodies stream.'),
      trustedOrigins: z
        .array(z.string().regex(/^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/, 'an origin is scheme://host[:port], lowercase, no path'))
        .default([])
        .describe('Origins besides the gateway\'s own whose pages may send state-changing requests with the session cookie (a front end on another origin, also listed in cors.origins with credentials).'),
    })
    .prefault({})
    .describe(
      'CSRF protection of routes that accept session cookies: state-changing requests (POST, PUT, PATCH, DELETE, ...) must come from the gateway\'s own origin or a trusted one (Sec-Fetch-Site, Origin, else Referer) and carry the signed double-submit token, which the gateway hands out with the session (cookie and header). Requests authenticated otherwise (API key, bearer token, Basic) are not checked.',
    ),
};

export const consumerShape = {};
export const tenantShape = {};
