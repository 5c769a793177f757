import { z } from 'zod';

/**
 * Alert rules over the call log (src/report/alerts.ts), spread into the top level of the config
 * schema by src/config/schema.ts. Evaluated in a worker thread off the request path.
 */
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const DIMENSION = z.enum(['layer', 'code', 'route', 'consumer', 'tenant', 'client', 'alias', 'provider']);

const Requests = z.strictObject({
  route: z.string().min(1).optional().describe('Only requests matched to this route id.'),
  method: z.string().regex(/^[A-Za-z]+$/).optional().describe('Only requests with this method (POST).'),
  consumer: z.string().min(1).optional().describe('Only requests of this consumer.'),
  tenant: z.string().min(1).optional().describe('Only requests of this tenant.'),
  alias: z.string().min(1).optional().describe('Only AI calls of this model alias (ai.models).'),
  provider: z.string().min(1).optional().describe('Only AI calls to this provider (ai.providers); with count.ai provider_failure, only the calls made to it.'),
});

const Counted = z.strictObject({
  outcome: z.enum(['deny', 'error', 'allow']).optional().describe('deny, error or allow (default deny when nothing else is given here).'),
  status: z.number().int().min(100).max(599).optional().describe('Only answers with this status (403).'),
  code: z.string().min(1).optional().describe('Only this code, or every code under a prefix ending in "." (authz.).'),
  layer: z.string().min(1).optional().describe('Only denials by this layer (waf).'),
  ai: z
    .enum(['budget_warning', 'provider_failure'])
    .optional()
    .describe(
      'AI calls instead of denials. budget_warning: AI calls whose record carries budget warnings (a spend budget past its soft threshold, a spend budget not charged for want of a price, budgets unchecked because the counters were down); percentages are of AI calls. provider_failure: calls to providers that failed (rate limited, server error, timeout, unreachable, refused, rejected, or cut mid-stream; a fallback is one more call), counted per provider call, and percentages are of all provider calls (use by: provider for each provider\'s failure rate).',
    ),
});

const AlertRule = z
  .strictObject({
    id: z.string().regex(NAME, 'an alert id is letters, digits, _ . -').describe('Names the alert in notifications.'),
    description: z.string().optional().describe('Said in every notification of this alert.'),
    requests: Requests.prefault({}).describe('Which requests the rule looks at (default all).'),
    count: Counted.prefault({}).describe('Which of those requests count against the rule (default: denials).'),
    windowS: z.number().int().min(1).max(7 * 86400).default(300).describe('The window in seconds that ends at each evaluation.'),
    by: DIMENSION.optional().describe('Evaluate separately for each layer, code, route, consumer, tenant, client address, model alias or provider (AI calls); each fires and recovers on its own.'),
    abovePercent: z.number().gt(0).max(100).optional().describe('Fire when the counted requests are more than this percentage of the requests in the window.'),
    aboveCount: z.number().int().min(0).optional().describe('Fire when more than this many requests are counted in the window.'),
    growth: z.number().gt(1).optional().describe('Fire when the count is at least this many times that of the window before (3: tripled); a previous count of 0 counts as 1.'),
    minRequests: z.number().int().min(1).default(20).describe('Stay silent while the window has fewer requests than this (abovePercent), or fewer counted requests (growth).'),
    examples: z.number().int().min(0).max(20).default(3).describe('Request ids quoted in a notification, newest first.'),
  })
  .refine((r) => [r.abovePercent, r.aboveCount, r.growth].filter((v) => v !== undefined).length === 1, {
    message: 'an alert rule needs exactly one of abovePercent, aboveCount or growth',
  });

export const topShape = {
  alerts: z
    .strictObject({
      evaluateEveryS: z.number().int().min(1).max(3600).default(30).describe('How often the rules are evaluated, in seconds.'),
      webhook: z
        .strictObject({
          url: z.string().regex(/^https?:\/\/\S+$/, 'a webhook url is http:// or https://').describe('Where notifications are POSTed as JSON.'),
          tokenEnv: z.string().optional().describe('Environment variable holding a token sent as Authorization: Bearer (kept out of the config).'),
          timeoutMs: z.number().int().min(100).max(60_000).default(5000).describe('Give up on one delivery after this long; it is retried at the next evaluation.'),
        })
        .optional()
        .describe('The receiver of alert and recovery notifications.'),
      rules: z.array(AlertRule).default([]).describe('Alert rules; each fires once when its condition starts to hold and sends a recovery notice when it stops.'),
    })
    .refine((a) => a.rules.length === 0 || a.webhook !== undefined, { message: 'alerts.rules need alerts.webhook to send to', path: ['webhook'] })
    .refine((a) => new Set(a.rules.map((r) => r.id)).size === a.rules.length, { message: 'alert ids must be unique', path: ['rules'] })
    .prefault({})
    .describe('Alerts on denials, AI budget warnings and AI provider failures over time, evaluated from the call log off the request path (a worker thread); notifications go to a webhook.'),
};

export type AlertsConfig = z.output<typeof topShape.alerts>;
export type AlertRuleConfig = AlertsConfig['rules'][number];
