/**
 * Driving a provider adapter over real HTTP against a fake, as the gateway does: the adapter
 * builds the call, undici sends it, the adapter decodes the answer (whole, streamed chunk by
 * chunk as undici reads them, or as a refusal). For decoding fed in awkward pieces, see
 * src/ai/providers/common/testing.ts.
 */
import { request } from 'undici';
import type { ChatRequest, ChatResponse, EmbeddingsRequest, EmbeddingsResponse, ProviderError, StreamEvent } from '../../../src/ai/types.ts';
import type { ProviderAdapter, ProviderTarget } from '../../../src/ai/providers/types.ts';

export type AdapterOutcome<T> = { ok: true; status: number; value: T } | { ok: false; status: number; error: ProviderError };

async function send(call: { url: string; headers: Record<string, string>; body: string | Uint8Array }) {
  return request(call.url, { method: 'POST', headers: call.headers, body: call.body });
}

/** A whole chat call: the adapter builds it, undici sends it, the adapter decodes the answer. */
export async function chatOverHttp(adapter: ProviderAdapter, req: ChatRequest, t: ProviderTarget): Promise<AdapterOutcome<ChatResponse | ProviderError>> {
  const res = await send(await adapter.chat.call({ ...req, stream: false }, t));
  const body = Buffer.from(await res.body.arrayBuffer());
  if (res.statusCode >= 300) return { ok: false, status: res.statusCode, error: adapter.error(res.statusCode, res.headers, body) };
  return { ok: true, status: res.statusCode, value: adapter.chat.response(body, res.headers) };
}

/** A streamed chat call: every chunk undici reads goes to the decoder; a broken connection ends it. */
export async function streamOverHttp(adapter: ProviderAdapter, req: ChatRequest, t: ProviderTarget): Promise<AdapterOutcome<StreamEvent[]>> {
  const res = await send(await adapter.chat.call({ ...req, stream: true }, t));
  if (res.statusCode >= 300) {
    const body = Buffer.from(await res.body.arrayBuffer());
    return { ok: false, status: res.statusCode, error: adapter.error(res.statusCode, res.headers, body) };
  }
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
  const res = await send(await adapter.embeddings.call(req, t));
  const body = Buffer.from(await res.body.arrayBuffer());
  if (res.statusCode >= 300) return { ok: false, status: res.statusCode, error: adapter.error(res.statusCode, res.headers, body) };
  return { ok: true, status: res.statusCode, value: adapter.embeddings.response(body, res.headers) };
}
