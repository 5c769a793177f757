import type { ChatRequest, ChatResponse, EmbeddingsRequest, EmbeddingsResponse, ProviderError, StreamEvent } from '../types.ts';

/** The provider types the gateway speaks; one folder each under src/ai/providers. */
export const PROVIDER_TYPES = ['openai', 'azure-openai', 'openai-compatible', 'ollama', 'anthropic', 'gemini', 'bedrock'] as const;
export type ProviderType = (typeof PROVIDER_TYPES)[number];

/** One call to make, as the adapter built it. The gateway sends it with undici. */
export interface HttpCall {
  url: string;
  headers: Record<string, string>;
  body: string | Uint8Array;
}

/** Response headers as undici gives them (lowercased names). */
export type ProviderHeaders = Record<string, string | string[] | undefined>;

/**
 * Where one call goes: a configured provider instance and the provider's own model id.
 * `credentials` holds resolved secrets (apiKey; Bedrock's accessKeyId, secretAccessKey,
 * sessionToken): an adapter puts them in the call and nowhere else.
 */
export interface ProviderTarget {
  /** The provider instance's name in the config (ai.providers.<name>). */
  provider: string;
  type: ProviderType;
  /** Base URL without a trailing slash (the adapter's default when the config gives none). */
  baseUrl: string;
  /** The provider's model id (for Azure, the deployment name). */
  model: string;
  credentials: Readonly<Record<string, string>>;
  /** Adapter settings from the config (Azure's apiVersion, Bedrock's region, Anthropic's version). */
  options: Readonly<Record<string, string>>;
}

/** Decodes a streamed answer's bytes into canonical events, chunk by chunk. */
export interface StreamDecoder {
  push(chunk: Uint8Array): StreamEvent[];
  /** The stream ended: whatever is left (a stream cut before its end yields an error event). */
  end(): StreamEvent[];
}

/**
 * A provider adapter: a declarative parameter map (params.ts in its folder, applied with
 * src/ai/providers/params.ts) plus request, response and stream transforms. Adding a
 * provider touches its own folder and the registry (src/ai/providers/index.ts) only.
 */
export interface ProviderAdapter {
  readonly type: ProviderType;
  /** Credential names the config must supply (and optional ones). */
  readonly credentials: { required: readonly string[]; optional?: readonly string[] };
  /** Option names the adapter reads, with defaults; an unknown option is a config error. */
  readonly options?: Readonly<Record<string, string | undefined>>;
  /** Base URL when the config gives none; undefined means the config must give one. */
  readonly defaultBaseUrl?: string;
  chat: {
    call(req: ChatRequest, t: ProviderTarget): HttpCall | Promise<HttpCall>;
    /** A whole (non-streamed) 2xx answer; a 200 that carries an error gives a ProviderError. */
    response(body: Buffer, headers: ProviderHeaders): ChatResponse | ProviderError;
    stream(): StreamDecoder;
  };
  embeddings?: {
    call(req: EmbeddingsRequest, t: ProviderTarget): HttpCall | Promise<HttpCall>;
    response(body: Buffer, headers: ProviderHeaders): EmbeddingsResponse | ProviderError;
  };
  /** A non-2xx answer: the provider's message, type, request id and Retry-After. */
  error(status: number, headers: ProviderHeaders, body: Buffer): ProviderError;
}

export function isProviderError(v: unknown): v is ProviderError {
  return typeof v === 'object' && v !== null && 'status' in v && 'message' in v && !('parts' in v) && !('vectors' in v);
}
