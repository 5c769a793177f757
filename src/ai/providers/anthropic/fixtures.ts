import type { Usage } from '../../types.ts';

/** Test fixtures shared by the response and stream tests. */

/** Anthropic's input_tokens excludes cache reads and writes; the canonical input includes both. */
export const usageForms: { name: string; wire: Record<string, unknown>; want: Usage }[] = [
  { name: 'no cache', wire: { input_tokens: 10, output_tokens: 3 }, want: { inputTokens: 10, outputTokens: 3 } },
  { name: 'cache read', wire: { input_tokens: 10, cache_read_input_tokens: 1000, output_tokens: 3 }, want: { inputTokens: 1010, outputTokens: 3, cachedInputTokens: 1000 } },
  { name: 'cache write', wire: { input_tokens: 10, cache_creation_input_tokens: 500, output_tokens: 3 }, want: { inputTokens: 510, outputTokens: 3 } },
  { name: 'cache read and write', wire: { input_tokens: 10, cache_creation_input_tokens: 500, cache_read_input_tokens: 1000, output_tokens: 3 }, want: { inputTokens: 1510, outputTokens: 3, cachedInputTokens: 1000 } },
  { name: 'thinking (output_tokens_details)', wire: { input_tokens: 10, output_tokens: 300, output_tokens_details: { thinking_tokens: 280 } }, want: { inputTokens: 10, outputTokens: 300, reasoningTokens: 280 } },
  { name: 'zeros', wire: { input_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 }, want: { inputTokens: 0, outputTokens: 0 } },
];
