/**
 * The limits layer's part of the config schema (src/config/schema.ts spreads these in).
 * routeShape: keys of a route; topShape: top-level keys; consumerShape / tenantShape:
 * keys of a consumer / tenant. Every key is optional or has a default, so configs
 * that do not use this layer stay valid.
 */
import { z } from 'zod';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** What a counter is kept per: the parts of the request that make its key. */
export const KEY_PARTS = ['consumer', 'key', 'tenant', 'ip', 'route'] as const;
export type KeyPart = (typeof KEY_PARTS)[number];

const RateWindow = z.strictObject({
  limit: z.number().int().min(1).max(1_000_000_000).describe('Requests (cost units) allowed per window.'),
  windowS: z.number().int().min(1).max(31 * 86400).describe('The window in seconds. The limit is also the largest burst (GCRA: the allowance refills evenly over the window).'),
});

const Quota = z.strictObject({
  limit: z.number().int().min(1).max(1_000_000_000_000).describe('Requests (cost units) allowed per calendar period.'),
  period: z.enum(['day', 'month']).describe('Calendar period in UTC: resets at 00:00 UTC each day, or on the 1st of each month.'),
  onExhausted: z
    .enum(['refuse', 'suspend'])
    .default('refuse')
    .describe('refuse: 429 limits.quota_exhausted until the period resets. suspend: the consumer or tenant (the policy key must be exactly [consumer] or [tenant]) is suspended (403) until an operator lifts it.'),
});

const PlanLimits = z.strictObject({
  rate: z.array(RateWindow).optional().describe('Rate windows for this plan, instead of the policy\'s.'),
  quota: Quota.optional().describe('The quota for this plan, instead of the policy\'s.'),
  unlimited: z.boolean().default(false).describe('This plan is not limited by this policy at all.'),
});

const Policy = z
  .strictObject({
    key: z
      .array(z.enum(KEY_PARTS))
      .min(1)
      .describe('What the counters are kept per: consumer, key (the credential label), tenant, ip (the client address), route; several make one combined key.'),
    rate: z.array(RateWindow).default([]).describe('Rate windows enforced together (e.g. 10 per 1 s and 1000 per 3600 s).'),
    quota: Quota.optional().describe('A calendar quota (per UTC day or month), counted apart from the rate windows.'),
    failMode: z
      .enum(['open', 'closed'])
      .default('open')
      .describe('When the Redis backend cannot be reached: open lets requests through uncounted; closed refuses them with 503 limits.backend_unavailable.'),
    plans: z
      .record(z.string().regex(NAME), PlanLimits)
      .default({})
      .describe('Other limits for consumers or tenants on a plan (consumers.<name>.plan, else tenants.<name>.plan).'),
  })
  .refine((p) => p.rate.length > 0 || p.quota !== undefined, { message: 'a policy needs rate windows or a quota' });

export type LimitPolicy = z.infer<typeof Policy>;
export type RateWindowConfig = z.infer<typeof RateWindow>;
export type QuotaConfig = z.infer<typeof Quota>;

const Limits = z
  .strictObject({
    backend: z
      .enum(['memory', 'redis'])
      .default('memory')
      .describe('memory: counters in this process (one node). redis: counters in Redis, shared by every node that uses the same Redis and key prefix.'),
    redis: z
      .strictObject({
        url: z.string().regex(/^rediss?:\/\/[^\s]+$/, 'a Redis url is redis://host:port[/db] or rediss://...').default('redis://127.0.0.1:6379').describe('The Redis server (redis://host:port[/db]; rediss:// for TLS). Keep passwords out of it: use passwordEnv.'),
        passwordEnv: z.string().optional().describe('Environment variable that holds the Redis password.'),
        keyPrefix: z.string().min(1).default('pinpoint:limits:').describe('Prefix of every key the gateway writes; nodes sharing counters use the same one.'),
        connectTimeoutMs: z.number().int().positive().default(1000).describe('Time to connect to Redis.'),
        commandTimeoutMs: z.number().int().positive().default(250).describe('Longest wait for a limit check; then the policy\'s failMode applies.'),
      })
      .prefault({})
      .describe('Where the redis backend keeps its counters.'),
    headers: z
      .strictObject({
        ratelimit: z.boolean().default(true).describe('Send RateLimit-Policy and RateLimit (draft-ietf-httpapi-ratelimit-headers-09).'),
        legacy: z.boolean().default(false).describe('Also send X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset (seconds) for older clients. Off by default: three more lines on every response of a limited route, for a de-facto format the IETF headers replace.'),
        onAllow: z.boolean().default(true).describe('Send these headers on allowed responses too, not only on 429.'),
      })
      .prefault({})
      .describe('Rate limit response headers.'),
    policies: z.record(z.string().regex(NAME, 'a policy name is letters, digits, _ . -'), Policy).default({}).describe('Named limit policies; routes list the ones that apply to them.'),
  })
  .prefault({})
  .describe('Rate limits and quotas.');

export type LimitsConfig = z.infer<typeof Limits>;

export const routeShape = {
  limits: z.array(z.string().regex(NAME)).min(1).optional().describe('Names of the limit policies (under limits.policies) that apply to this route.'),
  limitCost: z.number().int().min(1).max(1_000_000).default(1).describe('What one request on this route counts against its limits (weighted cost).'),
};
export const topShape = { limits: Limits };
export const consumerShape = {
  plan: z.string().regex(NAME).optional().describe('The limits plan of this consumer (a key of some limits.policies.<name>.plans); it overrides the tenant\'s.'),
};
export const tenantShape = {
  plan: z.string().regex(NAME).optional().describe('The limits plan of this tenant\'s consumers, unless a consumer names its own.'),
};
