import { openAiError } from '../shared/openai-error.ts';
import type { Dialect } from '../types.ts';
import { parseChat } from './parse.ts';
import { renderChatCompletion } from './render.ts';
import { ChatChunkEncoder } from './stream.ts';

/** OpenAI Chat Completions (POST /chat/completions), streamed and not. */
export const openAiChat: Dialect = {
  name: 'openai-chat',
  family: 'openai',
  parse: parseChat,
  renderChat: renderChatCompletion,
  chatStream: (ctx) => new ChatChunkEncoder(ctx),
  error: openAiError,
};
