/**
 * Driving a provider adapter over real HTTP against a fake, as the gateway does: the adapter
 * builds the call, undici sends it, the adapter decodes the answer (whole, streamed chunk by
 * chunk as undici reads them, or as a refusal). For decoding fed in awkward pieces, see
 * src/ai/providers/common/testing.ts.
 */
import { request } from 'undici';
import type { ChatRequest, ChatResponse, EmbeddingsRequest, EmbeddingsResponse, ProviderError, StreamEvent } from '../../../src/ai/types.ts';
import type { HttpCall, ProviderAdapter, ProviderHeaders, ProviderTarget } from '../../../src/ai/providers/types.ts';

export type AdapterOutcome<T> = { ok: true; status: number; value: T } | { ok: false; status: number; error: ProviderError };

async function send(call: HttpCall) {
  return request(call.url, { method: 'POST', headers: call.headers, body: call.body });
}

/** Sends a call and decodes a whole answer, or the refusal. */
async function wholeOverHttp<T>(adapter: ProviderAdapter, call: HttpCall, decode: (body: Buffer, headers: ProviderHeaders) => T): Promise<AdapterOutcome<T>> {
  const res = await send(call);
  const body = Buffer.from(await res.body.arrayBuffer());
  if (res.statusCode >= 300) return refused(adapter, res.statusCode, res.headers, body);
  return { ok: true, status: res.statusCode, value: decode(body, res.headers) };
}

function refused(adapter: ProviderAdapter, status: number, headers: ProviderHeaders, body: Buffer): AdapterOutcome<never> {
  return { ok: false, status, error: adapter.error(status, headers, body) };
}

/** A whole chat call: the adapter builds it, undici sends it, the adapter decodes the answer. */
export async function chatOverHttp(adapter: ProviderAdapter, req: ChatRequest, t: ProviderTarget): Promise<AdapterOutcome<ChatResponse | ProviderError>> {
  return wholeOverHttp(adapter, await adapter.chat.call({ ...req, stream: false }, t), adapter.chat.response);
}

/** A streamed chat call: every chunk undici reads goes to the decoder; a broken connection ends it. */
export async function streamOverHttp(adapter: ProviderAdapter, req: ChatRequest, t: ProviderTarget): Promise<AdapterOutcome<StreamEvent[]>> {
  const res = await send(await adapter.chat.call({ ...req, stream: true }, t));
  if (res.statusCode >= 300) return refused(adapter, res.statusCode, res.headers, Buffer.from(await res.body.arrayBuffer()));
  const decoder = adapter.chat.stream();
  const events: StreamEvent[] = [];
  try {
    for await (const chunk of res.body) events.push(...decoder.push(chunk as Buffer));
  } catch {
    // The provider closed the connection mid-answer: end() says so.
  }
  events.push(...decoder.end());
  return { ok: true, status: res.statusCode, value: events };
}

export async function embeddingsOverHttp(adapter: ProviderAdapter, req: EmbeddingsRequest, t: ProviderTarget): Promise<AdapterOutcome<EmbeddingsResponse | ProviderError>> {
  if (!adapter.embeddings) throw new Error(`${adapter.type} has no embeddings`);
  return wholeOverHttp(adapter, await adapter.embeddings.call(req, t), adapter.embeddings.response);
}
