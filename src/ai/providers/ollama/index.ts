/**
 * Ollama's native API: POST {baseUrl}/api/chat (NDJSON when streamed), POST {baseUrl}/api/embed.
 * Local Ollama has no auth; a key, when configured (Ollama behind a proxy, ollama.com), goes
 * as a Bearer token.
 */
import { parseJson, providerError } from '../common/http.ts';
import { bearer } from '../openai/wire.ts';
import type { HttpCall, ProviderAdapter, ProviderTarget } from '../types.ts';
import { chatBody, embedBody } from './request.ts';
import { decodeChat, decodeEmbed } from './response.ts';
import { OllamaStreamDecoder } from './stream.ts';

function post(t: ProviderTarget, path: string, body: Record<string, unknown>): HttpCall {
  return { url: `${t.baseUrl}${path}`, headers: { 'content-type': 'application/json', ...bearer(t) }, body: JSON.stringify(body) };
}

export const adapter: ProviderAdapter = {
  type: 'ollama',
  credentials: { required: [], optional: ['apiKey'] },
  defaultBaseUrl: 'http://127.0.0.1:11434',
  chat: {
    call: (req, t) => post(t, '/api/chat', chatBody(req, t.model)),
    response: (body) => decodeChat(body),
    stream: () => new OllamaStreamDecoder(),
  },
  embeddings: {
    call: (req, t) => post(t, '/api/embed', embedBody(req, t.model)),
    response: (body) => decodeEmbed(body),
  },
  error(status, headers, body) {
    const json = parseJson(body) as { error?: unknown } | undefined;
    const message = typeof json?.error === 'string' ? json.error : undefined;
    // Ollama sends no request id; a proxy in front of it may.
    return providerError(status, headers, { message }, 'x-request-id', body);
  },
};
