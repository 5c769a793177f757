import type { ParamMap } from '../params.ts';

/**
 * OpenAI Chat Completions sampling fields. max_completion_tokens replaced max_tokens (the
 * o-series models refuse max_tokens); Azure's 2024-10-21 API takes it too.
 */
export const openaiParams: ParamMap = {
  maxOutputTokens: 'max_completion_tokens',
  temperature: 'temperature',
  topP: 'top_p',
  stop: 'stop',
  user: 'user',
};
