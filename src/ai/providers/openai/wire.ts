/**
 * An adapter for the Chat Completions wire: OpenAI itself, and (with their own URLs, auth
 * header, sampling map and end-of-stream rule) Azure OpenAI and OpenAI-compatible servers,
 * whose folders call this with their differences and share every transform.
 */
import type { ParamMap } from '../params.ts';
import type { HttpCall, ProviderAdapter, ProviderTarget, ProviderType } from '../types.ts';
import { openaiError } from './errors.ts';
import { chatBody, embeddingsBody } from './request.ts';
import { decodeChat, decodeEmbeddings } from './response.ts';
import { OpenAIStreamDecoder } from './stream.ts';

export interface OpenAIWire {
  type: ProviderType;
  /** The provider's name in messages ("OpenAI's stream ended before ..."). */
  name: string;
  params: ParamMap;
  credentials: ProviderAdapter['credentials'];
  options?: ProviderAdapter['options'];
  defaultBaseUrl?: string;
  chatUrl(t: ProviderTarget): string;
  embeddingsUrl(t: ProviderTarget): string;
  /** Auth and any other provider headers. */
  headers(t: ProviderTarget): Record<string, string>;
  /** Whether to send stream_options.include_usage. */
  streamUsage(t: ProviderTarget): boolean;
  requireDone: boolean;
}

export function openaiWireAdapter(w: OpenAIWire): ProviderAdapter {
  const call = (url: string, t: ProviderTarget, body: Record<string, unknown>, stream: boolean): HttpCall => ({
    url,
    headers: { 'content-type': 'application/json', accept: stream ? 'text/event-stream' : 'application/json', ...w.headers(t) },
    body: JSON.stringify(body),
  });
  return {
    type: w.type,
    credentials: w.credentials,
    ...(w.options && { options: w.options }),
    ...(w.defaultBaseUrl && { defaultBaseUrl: w.defaultBaseUrl }),
    chat: {
      call: (req, t) => call(w.chatUrl(t), t, chatBody(req, { params: w.params, streamUsage: w.streamUsage(t), model: t.model }), req.stream),
      response: (body) => decodeChat(body),
      stream: () => new OpenAIStreamDecoder({ provider: w.name, requireDone: w.requireDone }),
    },
    embeddings: {
      call: (req, t) => call(w.embeddingsUrl(t), t, embeddingsBody(req, t.model), false),
      response: (body) => decodeEmbeddings(body),
    },
    error: openaiError,
  };
}

/** `Authorization: Bearer <apiKey>`, or nothing when the target has no key (a local vLLM). */
export function bearer(t: ProviderTarget): Record<string, string> {
  const key = t.credentials.apiKey;
  return key ? { authorization: `Bearer ${key}` } : {};
}
