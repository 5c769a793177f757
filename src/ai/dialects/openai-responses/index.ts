import { openAiError } from '../shared/openai-error.ts';
import type { Dialect } from '../types.ts';
import { parseResponses } from './parse.ts';
import { renderResponse } from './render.ts';
import { ResponsesEventEncoder } from './stream.ts';

/** The OpenAI Responses API (POST /responses), stateless: no store, no previous_response_id. */
export const openAiResponses: Dialect = {
  name: 'openai-responses',
  family: 'openai',
  parse: parseResponses,
  renderChat: renderResponse,
  chatStream: (ctx) => new ResponsesEventEncoder(ctx),
  error: openAiError,
};
