import type { AiCallState, AiEstimate } from '../ai/call-state.ts';
import { countChatTokens, countEmbeddingsTokens } from '../ai/usage/estimate.ts';
import { priceCall } from '../ai/usage/price.ts';
import type { EvalContext } from '../pipeline/types.ts';

/**
 * What a dry run of an AI call established (from ctx.ai): the alias and where it would go, the
 * estimate the budgets were checked with, and, when the budgets admit the call, where each
 * budget stands. A denial by a budget carries its violated_budgets in the decision instead.
 * Provider names and models only: never a credential.
 */
export interface ExplainedAi {
  alias: string;
  operation: 'chat' | 'embeddings';
  stream: boolean;
  /** The alias's targets, then its fallbacks, as provider/model. */
  targets: string[];
  fallbacks: string[];
  template?: { route: string; version: string };
  estimate: AiEstimate;
  /** Budgets that apply, when the call would be admitted: used before this call, what it adds, for whom. */
  budgets?: Array<Record<string, unknown>>;
  /** What the call log would note (a spend budget not charged for want of a price, counters unreachable). */
  warnings: string[];
  unpriced?: boolean;
}

export function explainedAi(ctx: EvalContext): ExplainedAi | undefined {
  const s: AiCallState | undefined = ctx.ai;
  if (!s) return undefined;
  const name = (t: { provider: { name: string }; model: string }) => `${t.provider.name}/${t.model}`;
  const out: ExplainedAi = {
    alias: s.alias,
    operation: s.call.operation,
    stream: s.call.operation === 'chat' && s.call.request.stream === true,
    targets: s.model.balancer.peers.map((p) => name(p.target)),
    fallbacks: s.model.fallbacks.map(name),
    estimate: completeEstimate(s),
    warnings: [...s.warnings],
  };
  if (s.template) out.template = s.template;
  if (s.standing) out.budgets = s.standing;
  if (s.unpriced) out.unpriced = true;
  return out;
}

/**
 * The layer's estimate, with what it left out where nothing needed it (no context window nor
 * budget: the prompt not counted; no spend budget: no cost): explain is off the request path,
 * so it counts and prices here rather than have every live call pay for it.
 */
function completeEstimate(s: AiCallState): AiEstimate {
  const e: AiEstimate = { ...s.estimate };
  if (e.counted === false) {
    e.inputTokens = s.call.operation === 'chat' ? countChatTokens(s.call.request) : countEmbeddingsTokens(s.call.request);
    delete e.counted;
  }
  if (e.costUsd === undefined) {
    const usage = { inputTokens: e.inputTokens, outputTokens: e.maxOutputTokens };
    const costs = [...s.model.balancer.peers.map((p) => p.target), ...s.model.fallbacks].map((t) => priceCall(t, usage)?.costUsd);
    const priced = costs.filter((c): c is number => c !== undefined);
    if (priced.length) e.costUsd = Math.max(...priced);
  }
  return e;
}

/**
 * What an AI dry run could not know. Budgets read the counters explain was given: a config
 * file's memory counters are this process's, empty (the running gateway's are live: --admin);
 * and "as a consumer" budgets per key count an assumed key that has used nothing.
 */
export function aiCaveats(ai: ExplainedAi | undefined, decision: { extensions?: Record<string, unknown> }, o: { emptyCounters: boolean; assumedKey: boolean }): string[] {
  if (!ai) return [];
  const entries = [...(ai.budgets ?? []), ...(Array.isArray(decision.extensions?.violated_budgets) ? (decision.extensions.violated_budgets as Array<Record<string, unknown>>) : [])];
  const out: string[] = [];
  if (o.emptyCounters && entries.length) {
    out.push("the AI budgets were checked against this process's own counters (limits.backend: memory), which start empty; --admin URL checks them against the running gateway's");
  }
  if (o.assumedKey && entries.some((e) => e.per === 'key')) {
    out.push('with --as, budgets per key count an assumed key that has used nothing; send the request with its real key to check those');
  }
  return out;
}
