/**
 * The canonical shapes of the AI gateway. Every client dialect (src/ai/dialects) parses into
 * them and renders from them; every provider adapter (src/ai/providers) builds its call from
 * them and decodes its answer into them. So N dialects and M providers need N + M mappings,
 * not N × M, and budgets, usage and the trace see one shape whatever the wire.
 */

export type Role = 'system' | 'user' | 'assistant' | 'tool';

export type Part =
  | { type: 'text'; text: string }
  /** An image by URL or inline base64 data (data without the data: prefix). */
  | { type: 'image'; url?: string; data?: string; mediaType?: string }
  /** A tool call the assistant made; arguments is the JSON text as the model produced it. */
  | { type: 'tool_call'; id: string; name: string; arguments: string }
  /** The result of a tool call, sent back by the client. */
  | { type: 'tool_result'; toolCallId: string; content: string; isError?: boolean };

export interface Message {
  role: Role;
  parts: Part[];
}

export interface ToolDefinition {
  name: string;
  description?: string;
  /** JSON Schema of the arguments. */
  parameters: Record<string, unknown>;
}

export type ToolChoice = 'auto' | 'none' | 'required' | { name: string };

export type ResponseFormat = { type: 'text' } | { type: 'json'; schema?: Record<string, unknown>; name?: string };

export interface ChatRequest {
  /** The model as the client named it (a public alias); adapters use ProviderTarget.model instead. */
  model: string;
  /** In order; system messages first (Anthropic's `system` and OpenAI's system/developer roles land here). */
  messages: Message[];
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  stop?: string[];
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  responseFormat?: ResponseFormat;
  stream: boolean;
  /** The end user the client names, for provider abuse tracking. */
  user?: string;
}

export interface EmbeddingsRequest {
  model: string;
  input: string[];
  dimensions?: number;
  user?: string;
}

export interface Usage {
  /** All input tokens, cached ones included. */
  inputTokens: number;
  outputTokens: number;
  /** Of inputTokens, those read from the provider's prompt cache. */
  cachedInputTokens?: number;
  /** Of outputTokens, those spent on reasoning. */
  reasoningTokens?: number;
  /** True when the gateway counted them itself (the provider sent no usage). */
  estimated?: boolean;
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'error';

export interface ChatResponse {
  /** The provider's id of this completion. */
  id: string;
  /** The provider's model as it answered. */
  model: string;
  /** Assistant output: text parts and tool_call parts, in order. */
  parts: Part[];
  finishReason: FinishReason;
  /**
   * The stop sequence (one of the request's `stop`) that ended the answer, when the provider
   * says which (Anthropic does; OpenAI and Gemini report only a plain stop). finishReason is 'stop' then.
   */
  stopSequence?: string;
  usage?: Usage;
}

export interface EmbeddingsResponse {
  model: string;
  vectors: number[][];
  usage?: Usage;
}

/**
 * One event of a streamed answer, in order: start, then text / tool_call deltas, then finish
 * and usage (either order; usage may be absent), or error at any point.
 */
export type StreamEvent =
  | { type: 'start'; id: string; model: string }
  | { type: 'text'; text: string }
  /** A tool call's delta: id and name on its first event, arguments in pieces. */
  | { type: 'tool_call'; index: number; id?: string; name?: string; argumentsDelta: string }
  /** stopSequence: as ChatResponse.stopSequence. */
  | { type: 'finish'; reason: FinishReason; stopSequence?: string }
  | { type: 'usage'; usage: Usage }
  /** The provider reported an error inside the stream. */
  | { type: 'error'; error: ProviderError };

/** What a provider said when it refused or failed (its own status, never the gateway's credential). */
export interface ProviderError {
  /** The provider's HTTP status (200 for an error inside a 200 answer or a stream). */
  status: number;
  message: string;
  /** The provider's error type/code, as it sent it ('rate_limit_error', 'insufficient_quota', ...). */
  type?: string;
  /** The provider's request id (x-request-id, request-id, x-amzn-requestid, ...). */
  requestId?: string;
  /** From the provider's Retry-After (or equivalent), in seconds. */
  retryAfterS?: number;
}
