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
  settle?: (usage: Usage | undefined, costUsd: number | undefined) => void;
}

export interface AiEstimate {
  /** Prompt tokens, counted by the gateway before the call. */
  inputTokens: number;
  /** The output the call may produce: its max output tokens, else the model's. */
  maxOutputTokens: number;
  /** What the call would cost at most (undefined: the model has no price). */
  costUsd?: number;
}
