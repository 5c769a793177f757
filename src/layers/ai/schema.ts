/**
 * The ai layer's part of the config: budgets (token rates, request rates, spend) and model
 * allow-lists. It is spread into the top-level `ai:` section by src/ai/schema.ts, and into
 * consumers and tenants (aiModels) by src/config/schema.ts.
 */
import { z } from 'zod';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** What a budget is kept per. `key` is the credential (its label), so each key has its own. */
export const BUDGET_KEYS = ['key', 'consumer', 'tenant'] as const;
export type BudgetKey = (typeof BUDGET_KEYS)[number];

const Spend = z.strictObject({
  limitUsd: z.number().positive().max(1_000_000).describe('Spend allowed per period, in US dollars (priced from the model\'s price table entry or its price override).'),
  period: z.enum(['day', 'month']).describe('Calendar period in UTC.'),
  softAt: z.number().gt(0).lt(1).optional().describe('Share of the limit (0.8 = 80%) at which an alert is raised; calls still pass until the limit.'),
});

const Budget = z
  .strictObject({
    key: BudgetKey().describe('What the budget is counted per: key (each credential), consumer, or tenant (all its consumers together).'),
    requestsPerMinute: z.number().int().min(1).optional().describe('AI calls per minute.'),
    tokensPerMinute: z.number().int().min(1).optional().describe('Input plus output tokens per minute. A call reserves its estimate (prompt tokens + its max output) before it is sent, and is charged its real usage after.'),
    spend: Spend.optional().describe('A spend budget per UTC day or month.'),
    failMode: z
      .enum(['open', 'closed'])
      .default('open')
      .describe('When the counters (limits.backend: redis) cannot be reached: open lets calls through unchecked and uncharged (the call log notes it); closed refuses them with 503 ai.budget_unavailable.'),
  })
  .refine((b) => b.requestsPerMinute !== undefined || b.tokensPerMinute !== undefined || b.spend !== undefined, { message: 'a budget needs requestsPerMinute, tokensPerMinute or spend' });

function BudgetKey() {
  return z.enum(BUDGET_KEYS);
}

export type BudgetConfig = z.output<typeof Budget>;

/** Keys of the top-level `ai:` section that belong to this layer. */
export const aiTopShape = {
  budgets: z.record(z.string().regex(NAME, 'a budget name is letters, digits, _ . -'), Budget).default({}).describe('Named AI budgets; AI routes list the ones that apply to them (routes[].ai.budgets).'),
};

/** Keys of a route's `ai:` section that belong to this layer. */
export const aiRouteShape = {
  budgets: z.array(z.string().regex(NAME)).min(1).optional().describe('Names of the budgets (under ai.budgets) that apply to calls on this route.'),
};

const ModelList = z.array(z.string().min(1)).min(1);

export const consumerShape = {
  aiModels: ModelList.optional().describe('Model aliases (ai.models) this consumer may call; absent: any its tenant may. A key whose scopes include model:<alias> entries is further limited to those.'),
};
export const tenantShape = {
  aiModels: ModelList.optional().describe('Model aliases (ai.models) this tenant\'s consumers may call; absent: every alias the route offers.'),
};
