/**
 * The contract of the fake provider servers the AI tests run (one file per provider wire
 * format in this folder). Each is a real HTTP server on 127.0.0.1 that speaks its provider's
 * wire format faithfully (paths, auth header, JSON shapes, SSE / NDJSON / AWS event stream
 * framing, usage, error bodies), scripted per call by the test.
 */

/** What the fake answers to one call. Unset fields take the fake's defaults. */
export interface FakeScript {
  /** The assistant's text (default 'Hello from <provider>.'); streamed in pieces of a few characters. */
  text?: string;
  /**
   * The text ended on this stop sequence (one of the request's). The Anthropic fake answers
   * stop_reason "stop_sequence" with it; OpenAI's wire has no place for it (a plain "stop").
   */
  stopSequence?: string;
  /** Answer with one tool call instead of text. */
  toolCall?: { id: string; name: string; arguments: string };
  /** The usage the provider reports (default: a count the fake makes up, fixed per call). */
  usage?: { input: number; output: number; cached?: number; reasoning?: number };
  /** Send no usage at all (the gateway must estimate). */
  omitUsage?: boolean;
  /** Refuse with this status and the provider's own error body. */
  status?: number;
  error?: { message: string; type?: string };
  /** With status 429: the Retry-After the provider sends, in seconds. */
  retryAfterS?: number;
  /** Answer 200 with an error inside the body (or, streamed, as the first event). */
  errorInside200?: { message: string; type?: string };
  /** Streamed: after this many content chunks, send the provider's error event (with usage so far where the wire has it). */
  midStreamError?: { afterChunks: number; message: string };
  /** Streamed: after this many content chunks, destroy the socket (no end marker). */
  cutAfterChunks?: number;
  /** Wait this long before sending response headers. */
  firstByteDelayMs?: number;
  /** Wait this long between stream chunks. */
  chunkDelayMs?: number;
  /** For embeddings: vector length (default 8). */
  dimensions?: number;
}

/** A call the fake received, for assertions (the auth header included, so tests can prove what was sent). */
export interface RecordedCall {
  method: string;
  path: string;
  /** Path plus query. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body (or undefined when not JSON). */
  body: unknown;
  rawBody: Buffer;
}

export interface FakeProvider {
  /** Base URL to put in the provider's config (http://127.0.0.1:<port>[/prefix]). */
  readonly url: string;
  readonly calls: RecordedCall[];
  /** Scripts the next calls, in order; once used up, `defaultScript` answers. */
  enqueue(...scripts: FakeScript[]): void;
  defaultScript: FakeScript;
  close(): Promise<void>;
}
