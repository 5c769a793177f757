/**
 * Any server that speaks OpenAI's Chat Completions at {baseUrl}/chat/completions: vLLM,
 * Mistral, Groq, DeepSeek, OpenRouter. The key is optional (a local vLLM has none), there is
 * no default base URL, and servers differ at the end of a stream: some send no usage, some
 * no [DONE], some refuse stream_options (set options.streamUsage to 'false' for those; the
 * gateway then counts the tokens itself).
 */
import { openaiWireAdapter, bearer } from '../openai/wire.ts';
import type { ProviderAdapter } from '../types.ts';
import { compatibleParams } from './params.ts';

export const adapter: ProviderAdapter = openaiWireAdapter({
  type: 'openai-compatible',
  name: 'the OpenAI-compatible server',
  params: compatibleParams,
  credentials: { required: [], optional: ['apiKey'] },
  options: { streamUsage: 'true' },
  chatUrl: (t) => `${t.baseUrl}/chat/completions`,
  embeddingsUrl: (t) => `${t.baseUrl}/embeddings`,
  headers: bearer,
  streamUsage: (t) => t.options.streamUsage !== 'false',
  requireDone: false,
});
