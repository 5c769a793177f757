import type { Usage } from '../../types.ts';

/** Test fixtures shared by the response and stream tests: Converse usage in its forms. */
export const usageForms: { name: string; wire: Record<string, number>; want: Usage }[] = [
  { name: 'no cache', wire: { inputTokens: 10, outputTokens: 3, totalTokens: 13 }, want: { inputTokens: 10, outputTokens: 3 } },
  { name: 'cache read', wire: { inputTokens: 10, cacheReadInputTokens: 1000, outputTokens: 3, totalTokens: 1013 }, want: { inputTokens: 1010, outputTokens: 3, cachedInputTokens: 1000 } },
  { name: 'cache write', wire: { inputTokens: 10, cacheWriteInputTokens: 500, outputTokens: 3, totalTokens: 513 }, want: { inputTokens: 510, outputTokens: 3 } },
  { name: 'cache read and write', wire: { inputTokens: 10, cacheReadInputTokens: 1000, cacheWriteInputTokens: 500, outputTokens: 3, totalTokens: 1513 }, want: { inputTokens: 1510, outputTokens: 3, cachedInputTokens: 1000 } },
];
