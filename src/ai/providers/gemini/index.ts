import type { ProviderAdapter } from '../types.ts';
import { chatError } from './errors.ts';
import { DEFAULT_BASE_URL } from './params.ts';
import { chatCall, embeddingsCall } from './request.ts';
import { chatResponse, embeddingsResponse } from './response.ts';
import { GeminiStreamDecoder } from './stream.ts';

/** Google's Gemini API (generativelanguage.googleapis.com, v1beta): generateContent, streamGenerateContent, batchEmbedContents. */
export const adapter: ProviderAdapter = {
  type: 'gemini',
  credentials: { required: ['apiKey'] },
  defaultBaseUrl: DEFAULT_BASE_URL,
  chat: {
    call: chatCall,
    response: chatResponse,
    stream: () => new GeminiStreamDecoder(),
  },
  embeddings: {
    call: embeddingsCall,
    response: embeddingsResponse,
  },
  error: chatError,
};
