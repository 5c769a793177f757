import type { FinishReason, Usage } from '../../types.ts';
import { isObject } from '../common/http.ts';

/**
 * Chat Completions usage: cached input in prompt_tokens_details.cached_tokens (DeepSeek's
 * older prompt_cache_hit_tokens too), reasoning in completion_tokens_details.reasoning_tokens.
 * Undefined when the object holds no counts (a `usage: null` chunk, a server that sends none).
 */
export function wireUsage(u: unknown): Usage | undefined {
  if (!isObject(u)) return undefined;
  const input = count(u.prompt_tokens);
  const output = count(u.completion_tokens);
  if (input === undefined && output === undefined) return undefined;
  const usage: Usage = { inputTokens: input ?? 0, outputTokens: output ?? 0 };
  const cached = count(field(u.prompt_tokens_details, 'cached_tokens')) ?? count(u.prompt_cache_hit_tokens);
  if (cached !== undefined) usage.cachedInputTokens = cached;
  const reasoning = count(field(u.completion_tokens_details, 'reasoning_tokens'));
  if (reasoning !== undefined) usage.reasoningTokens = reasoning;
  return usage;
}

function field(obj: unknown, name: string): unknown {
  return isObject(obj) ? obj[name] : undefined;
}

function count(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
}

const FINISH: Record<string, FinishReason> = {
  stop: 'stop',
  length: 'length',
  tool_calls: 'tool_calls',
  function_call: 'tool_calls',
  content_filter: 'content_filter',
  error: 'error', // OpenRouter, when the upstream model failed mid-answer
};

/** Undefined for null (not finished yet); an unknown reason is a normal stop. */
export function wireFinish(reason: unknown): FinishReason | undefined {
  if (typeof reason !== 'string') return undefined;
  return FINISH[reason] ?? 'stop';
}
