import { z } from 'zod';

/**
 * The body layer's part of the config schema (src/config/schema.ts spreads these in).
 * routeShape: keys of a route; topShape: top-level keys; consumerShape / tenantShape:
 * keys of a consumer / tenant. Every key is optional or has a default, so configs
 * that do not use this layer stay valid.
 */
const MAX_BYTES = z.number().int().min(0);

export const routeShape = {
  body: z
    .strictObject({
      maxBytes: MAX_BYTES.optional().describe('Largest body this route accepts (413 beyond); default body.maxBytes.'),
    })
    .optional()
    .describe('What request bodies this route accepts.'),
};

export const topShape = {
  body: z
    .strictObject({
      maxBytes: MAX_BYTES.default(10 * 1024 * 1024).describe('Largest request body accepted on any route (413 beyond), unless the route says otherwise.'),
    })
    .prefault({})
    .describe('Request bodies: size limits. A body is read (buffered, up to the limit) only on routes whose layers inspect it; elsewhere it streams.'),
};

export const consumerShape = {};
export const tenantShape = {};
