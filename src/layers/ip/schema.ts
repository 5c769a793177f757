/**
 * The ip layer's part of the config schema (src/config/schema.ts spreads these in).
 * routeShape: keys of a route; topShape: top-level keys; consumerShape / tenantShape:
 * keys of a consumer / tenant. Every key is optional or has a default, so configs
 * that do not use this layer stay valid.
 */
export const routeShape = {};
export const topShape = {};
export const consumerShape = {};
export const tenantShape = {};
