import { z } from 'zod';

/**
 * The waf layer's part of the config schema (src/config/schema.ts spreads these in).
 * routeShape: keys of a route; topShape: top-level keys; consumerShape / tenantShape:
 * keys of a consumer / tenant. Every key is optional or has a default, so configs
 * that do not use this layer stay valid.
 */
const Mode = z.enum(['block', 'detect']);
const Paranoia = z.number().int().min(1).max(4);
const Threshold = z.number().int().min(1).max(1000);

const Exclusion = z.strictObject({
  rule: z
    .string()
    .min(1)
    .describe('A rule id (sqli-100), a family (sqli, xss, lfi, rce, protocol, size) or * for every rule.'),
  field: z
    .string()
    .min(1)
    .optional()
    .describe('The field exempt from the rule, as decisions name it (body.items[2].note, query.q, header.user-agent, cookie.sid, path); * matches any run of characters (body.items[*].note). Absent: the rule is off on this route.'),
});

export const routeShape = {
  waf: z
    .strictObject({
      enabled: z.boolean().optional().describe('Inspect this route (default: on when this key is present, else waf.enabled).'),
      mode: Mode.optional().describe('block: refuse with 403 waf.blocked; detect: let the request pass and record the would-be block in the decision (default waf.mode).'),
      paranoia: Paranoia.optional().describe('Paranoia level 1-4: higher levels run more rules and find more, with more false positives (default waf.paranoia).'),
      threshold: Threshold.optional().describe('Anomaly score at which a request is blocked (default waf.threshold).'),
      inspectBody: z.boolean().optional().describe('Inspect request bodies (JSON values and names, form and multipart fields); the body is then read up to body.maxBytes before it is forwarded (default waf.inspectBody).'),
      exclusions: z
        .array(Exclusion)
        .default([])
        .describe('Exempt fields of this route from rules, e.g. { rule: xss-110, field: body.description } for a field that holds HTML.'),
    })
    .optional()
    .describe('Web application firewall settings of this route (see docs/waf-rules.md).'),
};

export const topShape = {
  waf: z
    .strictObject({
      enabled: z.boolean().default(false).describe('Inspect every route that does not say waf.enabled: false. Off: only routes with a waf key are inspected.'),
      mode: Mode.default('block').describe('block or detect (detection only: requests pass; decisions record what would have been blocked).'),
      paranoia: Paranoia.default(1).describe('Paranoia level 1-4 of routes that do not set one.'),
      threshold: Threshold.default(5).describe('Anomaly score at which a request is blocked; one critical rule scores 5.'),
      inspectBody: z.boolean().default(true).describe('Inspect request bodies on inspected routes.'),
    })
    .prefault({})
    .describe('Web application firewall: rule families for SQL injection, XSS, path traversal, command injection, protocol anomalies and oversized fields, with anomaly scoring (docs/waf-rules.md).'),
};

export const consumerShape = {};
export const tenantShape = {};
