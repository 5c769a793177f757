import type { Usage } from '../../types.ts';

/** Test fixtures shared by the response and stream tests: usageMetadata in its forms. */
export const usageForms: { name: string; wire: Record<string, number>; want: Usage }[] = [
  { name: 'plain', wire: { promptTokenCount: 10, candidatesTokenCount: 3, totalTokenCount: 13 }, want: { inputTokens: 10, outputTokens: 3 } },
  { name: 'cached content (part of the prompt count)', wire: { promptTokenCount: 1010, cachedContentTokenCount: 1000, candidatesTokenCount: 3, totalTokenCount: 1013 }, want: { inputTokens: 1010, outputTokens: 3, cachedInputTokens: 1000 } },
  { name: 'thinking (billed as output)', wire: { promptTokenCount: 10, candidatesTokenCount: 3, thoughtsTokenCount: 40, totalTokenCount: 53 }, want: { inputTokens: 10, outputTokens: 43, reasoningTokens: 40 } },
  { name: 'tool-use prompt', wire: { promptTokenCount: 10, toolUsePromptTokenCount: 5, candidatesTokenCount: 3, totalTokenCount: 18 }, want: { inputTokens: 15, outputTokens: 3 } },
  { name: 'no candidates count (an empty answer)', wire: { promptTokenCount: 10, totalTokenCount: 10 }, want: { inputTokens: 10, outputTokens: 0 } },
];
