import type { Usage } from '../../types.ts';

/** A number member of a provider's usage object (0 when absent or null). */
export function count(u: Record<string, unknown>, key: string): number {
  const v = u[key];
  return typeof v === 'number' ? v : 0;
}

/** Canonical usage; the cached and reasoning figures only when there are some. */
export function usage(inputTokens: number, outputTokens: number, cachedInputTokens = 0, reasoningTokens = 0): Usage {
  const u: Usage = { inputTokens, outputTokens };
  if (cachedInputTokens > 0) u.cachedInputTokens = cachedInputTokens;
  if (reasoningTokens > 0) u.reasoningTokens = reasoningTokens;
  return u;
}
