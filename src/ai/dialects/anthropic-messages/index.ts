import type { Dialect } from '../types.ts';
import { anthropicError } from './error.ts';
import { parseMessages } from './parse.ts';
import { renderMessage } from './render.ts';
import { MessageEventEncoder } from './stream.ts';

/** The Anthropic Messages API (POST /v1/messages), streamed and not. */
export const anthropicMessages: Dialect = {
  name: 'anthropic-messages',
  family: 'anthropic',
  parse: parseMessages,
  renderChat: renderMessage,
  chatStream: (ctx) => new MessageEventEncoder(ctx),
  error: anthropicError,
};
