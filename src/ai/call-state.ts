import type { Dialect, ParsedCall } from './dialects/types.ts';
import type { AiRoutePlan, ModelPlan } from './plan.ts';
import type { Usage } from './types.ts';

/**
 * What the ai layer established about an AI call, left on the pipeline context (ctx.ai) for
 * the serving step (src/ai/serve.ts): the parsed call, the alias it resolved to, the
 * estimate it checked budgets with, and how to settle the reservation once the real usage
 * is known.
 */
export interface AiCallState {
  route: AiRoutePlan;
  /** The client's dialect; undefined on a prompt-template route (plain REST, problem+json). */
  dialect?: Dialect;
  call: ParsedCall;
  alias: string;
  model: ModelPlan;
  template?: { route: string; version: string };
  estimate: AiEstimate;
  /**
   * Set when the ai layer reserved budget (tokens, spend) for this call: the serving step
   * calls it exactly once with the real usage and cost (undefined usage: the call never
   * reached a provider, release the reservation).
   */
  settle?: (usage: Usage | undefined, costUsd: number | undefined) => void | Promise<void>;
  /**
   * For the call log, in operator words: budgets this call took over their soft threshold
   * (added by settle, from the real cost), a spend budget not charged because the model has no
   * price, budgets left unchecked because their counters could not be reached. The array is
   * the layer's: settle may add to it, so read it after awaiting settle.
   */
  warnings: string[];
  /**
   * True when a spend budget applies and the call could not be costed (no target of the alias
   * has a price, or settle got no cost): its spend was not charged, never counted as zero.
   */
  unpriced?: boolean;
  /**
   * A dry run the budgets admit (explain): each budget's standing, as violated_budgets entries
   * (budget, per, kind, unit, limit, used before this call, this_call, resets_at) plus who.
   */
  standing?: Array<Record<string, unknown>>;
  /** The budget units this call reserved (absent in a dry run and when no budget applies). */
  reserved?: { tokens: number; spendUsd?: number };
}

export interface AiEstimate {
  /** Prompt tokens, counted by the gateway before the call. */
  inputTokens: number;
  /** The output the call may produce: its max output tokens, else the model's. */
  maxOutputTokens: number;
  /** What the call would cost at most (undefined: the model has no price, or no spend budget asked). */
  costUsd?: number;
  /** false: the prompt was not counted (nothing needed it); inputTokens is 0 then. */
  counted?: false;
}
