/**
 * The client dialects by name, and which one a request speaks: by the API the route serves
 * (OpenAI or Anthropic) and the end of its path, so a route may sit under any prefix
 * (/ai/v1/chat/completions, /v1/messages).
 */
import { anthropicMessages } from './anthropic-messages/index.ts';
import { openAiChat } from './openai-chat/index.ts';
import { openAiEmbeddings } from './openai-embeddings/index.ts';
import { openAiResponses } from './openai-responses/index.ts';
import type { Dialect, DialectName } from './types.ts';

export const dialects: Record<DialectName, Dialect> = {
  'openai-chat': openAiChat,
  'openai-embeddings': openAiEmbeddings,
  'openai-responses': openAiResponses,
  'anthropic-messages': anthropicMessages,
};

export type ApiFamily = 'openai' | 'anthropic';

const ENDPOINTS: Record<ApiFamily, readonly [suffix: string, dialect: DialectName][]> = {
  openai: [
    ['/chat/completions', 'openai-chat'],
    ['/embeddings', 'openai-embeddings'],
    ['/responses', 'openai-responses'],
  ],
  anthropic: [['/messages', 'anthropic-messages']],
};

/** The dialect of a request to this path (query and trailing slash ignored), or undefined when the path is none of the API's endpoints. */
export function dialectFor(api: ApiFamily, path: string): Dialect | undefined {
  const p = '/' + path.replace(/[?#].*$/s, '').replace(/^\/+|\/+$/g, '');
  const hit = ENDPOINTS[api].find(([suffix]) => p.endsWith(suffix));
  return hit ? dialects[hit[1]] : undefined;
}

/** The dialect whose error envelope answers a request that fits no endpoint of the API (so its SDK still reads the refusal). */
export function errorDialect(api: ApiFamily): Dialect {
  return api === 'openai' ? openAiChat : anthropicMessages;
}
