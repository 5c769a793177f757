/** OpenAI: Chat Completions and Embeddings at https://api.openai.com/v1, Bearer key. */
import type { ProviderAdapter } from '../types.ts';
import { openaiParams } from './params.ts';
import { bearer, openaiWireAdapter } from './wire.ts';

export const adapter: ProviderAdapter = openaiWireAdapter({
  type: 'openai',
  name: 'OpenAI',
  params: openaiParams,
  credentials: { required: ['apiKey'] },
  // Sent as OpenAI-Organization / OpenAI-Project when set (keys that belong to several).
  options: { organization: undefined, project: undefined },
  defaultBaseUrl: 'https://api.openai.com/v1',
  chatUrl: (t) => `${t.baseUrl}/chat/completions`,
  embeddingsUrl: (t) => `${t.baseUrl}/embeddings`,
  headers: (t) => ({
    ...bearer(t),
    ...(t.options.organization && { 'openai-organization': t.options.organization }),
    ...(t.options.project && { 'openai-project': t.options.project }),
  }),
  streamUsage: () => true,
  requireDone: true,
});
