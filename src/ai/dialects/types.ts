import type { ChatRequest, ChatResponse, EmbeddingsRequest, EmbeddingsResponse, StreamEvent, Usage } from '../types.ts';

/** The wire formats clients speak to the gateway. */
export const DIALECTS = ['openai-chat', 'openai-embeddings', 'openai-responses', 'anthropic-messages'] as const;
export type DialectName = (typeof DIALECTS)[number];

/** Which error envelope a dialect's clients (SDKs) understand. */
export type ErrorFamily = 'openai' | 'anthropic';

export type ParsedCall =
  | {
      operation: 'chat';
      request: ChatRequest;
      /** OpenAI stream_options.include_usage */
      includeUsage?: boolean;
      /**
       * Members of the request the dialect's answer repeats back, in its own wire form (the
       * Responses API's response echoes instructions, tools, sampling, metadata...). Serving
       * hands them to rendering as RenderContext.echo.
       */
      echo?: Record<string, unknown>;
    }
  | { operation: 'embeddings'; request: EmbeddingsRequest; /** encoding_format asked ('float' | 'base64') */ encoding?: string };

/** A client's request body that does not fit the dialect: where (JSON path, e.g. 'messages[2].content') and what. */
export class AiRequestError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

/** What rendering needs besides the answer. */
export interface RenderContext {
  /** The model as the client asked for it (the alias), echoed back as the answer's model. */
  model: string;
  requestId: string;
  /** Unix seconds. */
  created: number;
  includeUsage?: boolean;
  /** ParsedCall.echo of the call; without it a dialect that echoes renders the defaults of a request that set nothing. */
  echo?: Record<string, unknown>;
}

/**
 * A refusal or failure as the client sees it, in its dialect's envelope (so the SDK raises its
 * typed error with this code). Built from a pipeline denial's problem or a provider failure.
 */
export interface AiError {
  status: number;
  /** The Pinpoint code ('ai.budget_exhausted', 'authn.key_missing', 'ai.provider_refused', ...). */
  code: string;
  /** Safe for the audience. */
  message: string;
  /** JSON path of the offending input, when there is one (OpenAI's `param`). */
  param?: string;
  requestId: string;
  /** Members safe for the audience: which budget, limit, used, this call, resetsAt, fix, the provider's status... */
  details?: Record<string, unknown>;
}

/** Turns canonical stream events into the dialect's SSE text. */
export interface StreamEncoder {
  /** SSE text to send for this event ('' when the dialect sends nothing for it). */
  event(e: StreamEvent): string;
  /** A failure mid-stream, sent as the dialect's own error event (with the usage so far, where the dialect has a place for it). */
  error(e: AiError, usage?: Usage): string;
  /** The end of a stream that finished normally (OpenAI's `data: [DONE]`). */
  end(): string;
}

export interface Dialect {
  readonly name: DialectName;
  readonly family: ErrorFamily;
  /** Parses the client's JSON body; throws AiRequestError. */
  parse(json: unknown): ParsedCall;
  renderChat?(resp: ChatResponse, ctx: RenderContext): unknown;
  chatStream?(ctx: RenderContext): StreamEncoder;
  renderEmbeddings?(resp: EmbeddingsResponse, ctx: RenderContext, encoding?: string): unknown;
  /** The error envelope: JSON body and headers to add (Anthropic's request-id). */
  error(e: AiError): { body: unknown; headers?: Record<string, string> };
}
