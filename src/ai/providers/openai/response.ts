/** Whole (non-streamed) Chat Completions and Embeddings answers to canonical responses. */
import type { ChatResponse, EmbeddingsResponse, FinishReason, Part, ProviderError } from '../../types.ts';
import { isObject, parseJson } from '../common/http.ts';
import { errorInBody, errorInside200 } from './errors.ts';
import { wireFinish, wireUsage } from './usage.ts';

export function decodeChat(body: Buffer): ChatResponse | ProviderError {
  const json = parseJson(body);
  const inside = errorInBody(json);
  if (inside) return errorInside200(inside);
  if (!isObject(json) || !Array.isArray(json.choices) || !isObject(json.choices[0])) return malformed('a chat completion without choices');
  const choice = json.choices[0];
  const message = isObject(choice.message) ? choice.message : {};
  const parts: Part[] = [];
  // A refusal (structured outputs) is the model's answer in words, so it is kept as text.
  const text = typeof message.content === 'string' ? message.content : typeof message.refusal === 'string' ? message.refusal : '';
  if (text) parts.push({ type: 'text', text });
  for (const call of Array.isArray(message.tool_calls) ? message.tool_calls : []) {
    if (!isObject(call) || !isObject(call.function)) continue;
    parts.push({ type: 'tool_call', id: String(call.id ?? ''), name: String(call.function.name ?? ''), arguments: String(call.function.arguments ?? '') });
  }
  const res: ChatResponse = {
    id: String(json.id ?? ''),
    model: String(json.model ?? ''),
    parts,
    finishReason: wireFinish(choice.finish_reason) ?? 'stop',
  };
  const stopSequence = stopSequenceOf(choice, res.finishReason);
  if (stopSequence !== undefined) res.stopSequence = stopSequence;
  const usage = wireUsage(json.usage);
  if (usage) res.usage = usage;
  return res;
}

/**
 * The stop sequence that ended a choice. OpenAI never says (finish_reason "stop" covers both a
 * natural end and a stop sequence); vLLM and servers like it add `stop_reason`: the stop
 * string that matched, or the id of a stop token (a number, not a sequence of the request).
 */
export function stopSequenceOf(choice: Record<string, unknown>, finish: FinishReason | undefined): string | undefined {
  return finish === 'stop' && typeof choice.stop_reason === 'string' && choice.stop_reason !== '' ? choice.stop_reason : undefined;
}

export function decodeEmbeddings(body: Buffer): EmbeddingsResponse | ProviderError {
  const json = parseJson(body);
  const inside = errorInBody(json);
  if (inside) return errorInside200(inside);
  if (!isObject(json) || !Array.isArray(json.data)) return malformed('an embeddings answer without data');
  const items = json.data.filter(isObject).sort((a, b) => Number(a.index ?? 0) - Number(b.index ?? 0));
  const res: EmbeddingsResponse = { model: String(json.model ?? ''), vectors: items.map((d) => vector(d.embedding)) };
  const u = isObject(json.usage) ? json.usage : undefined;
  if (u && typeof u.prompt_tokens === 'number') res.usage = { inputTokens: u.prompt_tokens, outputTokens: 0 };
  return res;
}

/** A float array, or base64 of little-endian float32s (encoding_format: base64). */
function vector(v: unknown): number[] {
  if (Array.isArray(v)) return v.map(Number);
  if (typeof v !== 'string') return [];
  const bytes = Buffer.from(v, 'base64');
  return Array.from({ length: Math.floor(bytes.length / 4) }, (_, i) => bytes.readFloatLE(i * 4));
}

function malformed(what: string): ProviderError {
  return { status: 200, type: 'invalid_response', message: `the provider answered 200 with ${what}` };
}
