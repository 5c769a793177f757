import type { ParamMap } from '../params.ts';
import { openaiParams } from '../openai/params.ts';

/** Azure OpenAI takes OpenAI's fields (max_completion_tokens since API version 2024-09-01-preview). */
export const azureParams: ParamMap = openaiParams;
