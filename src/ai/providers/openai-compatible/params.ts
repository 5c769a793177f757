import type { ParamMap } from '../params.ts';
import { openaiParams } from '../openai/params.ts';

/**
 * OpenAI's fields, but max_tokens: the field every compatible server (vLLM, Mistral, Groq,
 * DeepSeek, OpenRouter) knows; several do not know max_completion_tokens.
 */
export const compatibleParams: ParamMap = { ...openaiParams, maxOutputTokens: 'max_tokens' };
