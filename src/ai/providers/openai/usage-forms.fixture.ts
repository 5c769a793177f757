import type { Usage } from '../../types.ts';

/** Usage in every form the OpenAI family sends it. */
export const USAGE_FORMS: { name: string; wire: unknown; want: Usage | undefined }[] = [
  { name: 'plain counts', wire: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 }, want: { inputTokens: 5, outputTokens: 7 } },
  {
    name: 'cached and reasoning details (OpenAI)',
    wire: { prompt_tokens: 2006, completion_tokens: 300, total_tokens: 2306, prompt_tokens_details: { cached_tokens: 1920, audio_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 256, audio_tokens: 0 } },
    want: { inputTokens: 2006, outputTokens: 300, cachedInputTokens: 1920, reasoningTokens: 256 },
  },
  { name: 'zero details are kept as zero', wire: { prompt_tokens: 1, completion_tokens: 1, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } }, want: { inputTokens: 1, outputTokens: 1, cachedInputTokens: 0, reasoningTokens: 0 } },
  { name: "DeepSeek's prompt_cache_hit_tokens", wire: { prompt_tokens: 100, completion_tokens: 10, prompt_cache_hit_tokens: 64, prompt_cache_miss_tokens: 36 }, want: { inputTokens: 100, outputTokens: 10, cachedInputTokens: 64 } },
  { name: 'null details (some compatible servers)', wire: { prompt_tokens: 3, completion_tokens: 4, prompt_tokens_details: null, completion_tokens_details: null }, want: { inputTokens: 3, outputTokens: 4 } },
  { name: 'usage: null', wire: null, want: undefined },
  { name: 'an empty object', wire: {}, want: undefined },
];
