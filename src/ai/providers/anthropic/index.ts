import type { ProviderAdapter } from '../types.ts';
import { chatError } from './errors.ts';
import { DEFAULT_BASE_URL, DEFAULT_VERSION } from './params.ts';
import { chatCall } from './request.ts';
import { chatResponse } from './response.ts';
import { AnthropicStreamDecoder } from './stream.ts';

/** Anthropic's Messages API (POST /v1/messages). Anthropic has no embeddings API. */
export const adapter: ProviderAdapter = {
  type: 'anthropic',
  credentials: { required: ['apiKey'] },
  options: { version: DEFAULT_VERSION },
  defaultBaseUrl: DEFAULT_BASE_URL,
  chat: {
    call: chatCall,
    response: chatResponse,
    stream: () => new AnthropicStreamDecoder(),
  },
  error: chatError,
};
