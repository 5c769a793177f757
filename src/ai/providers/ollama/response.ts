/**
 * Ollama's answers: a chat object (`message`, `done_reason`, `prompt_eval_count` and
 * `eval_count` for usage), the embed object, and `{"error":"..."}` for failures. Ollama has
 * no completion id, so one is made (completionId).
 */
import { randomUUID } from 'node:crypto';
import type { ChatResponse, EmbeddingsResponse, FinishReason, Part, ProviderError, Usage } from '../../types.ts';
import { isObject, parseJson, providerError } from '../common/http.ts';

/**
 * Ollama names no completion: the id is made from the answer's created_at (nanosecond
 * precision), so the same answer always gets the same id, and a random one without it.
 */
export function completionId(json: Record<string, unknown>): string {
  return `ollama-${typeof json.created_at === 'string' && json.created_at ? json.created_at : randomUUID()}`;
}

/** The error a body carries (`{"error":"..."}`), or undefined. */
export function errorIn(json: unknown): ProviderError | undefined {
  if (!isObject(json) || json.error === undefined) return undefined;
  const e = json.error;
  return providerError(200, {}, { message: typeof e === 'string' ? e : isObject(e) ? e.message : undefined }, 'x-request-id');
}

/**
 * Usage from the counts of a finished answer. Ollama leaves prompt_eval_count out when the
 * whole prompt came from its cache (Go's omitempty on 0), so a missing one with an
 * eval_count present is 0, not unknown.
 */
export function ollamaUsage(json: Record<string, unknown>): Usage | undefined {
  const input = json.prompt_eval_count;
  const output = json.eval_count;
  if (typeof input !== 'number' && typeof output !== 'number') return undefined;
  return { inputTokens: typeof input === 'number' ? input : 0, outputTokens: typeof output === 'number' ? output : 0 };
}

export function ollamaFinish(json: Record<string, unknown>, sawToolCall: boolean): FinishReason {
  if (json.done_reason === 'length') return 'length';
  return sawToolCall ? 'tool_calls' : 'stop';
}

/** A message's tool calls as canonical parts; ids are made where Ollama sends none. */
export function toolCallsOf(message: Record<string, unknown>, firstIndex: number): Extract<Part, { type: 'tool_call' }>[] {
  const calls = Array.isArray(message.tool_calls) ? message.tool_calls.filter(isObject) : [];
  return calls.map((c, i) => {
    const fn = isObject(c.function) ? c.function : {};
    const args = fn.arguments;
    return {
      type: 'tool_call',
      id: typeof c.id === 'string' && c.id ? c.id : `call_${firstIndex + i}`,
      name: String(fn.name ?? ''),
      arguments: typeof args === 'string' ? args : JSON.stringify(args ?? {}),
    };
  });
}

export function decodeChat(body: Buffer): ChatResponse | ProviderError {
  const json = parseJson(body);
  const inside = errorIn(json);
  if (inside) return inside;
  if (!isObject(json) || !isObject(json.message)) return { status: 200, type: 'invalid_response', message: 'Ollama answered 200 without a message' };
  const parts: Part[] = [];
  if (typeof json.message.content === 'string' && json.message.content) parts.push({ type: 'text', text: json.message.content });
  const calls = toolCallsOf(json.message, 0);
  parts.push(...calls);
  const res: ChatResponse = { id: completionId(json), model: String(json.model ?? ''), parts, finishReason: ollamaFinish(json, calls.length > 0) };
  const usage = ollamaUsage(json);
  if (usage) res.usage = usage;
  return res;
}

export function decodeEmbed(body: Buffer): EmbeddingsResponse | ProviderError {
  const json = parseJson(body);
  const inside = errorIn(json);
  if (inside) return inside;
  if (!isObject(json) || !Array.isArray(json.embeddings)) return { status: 200, type: 'invalid_response', message: 'Ollama answered 200 without embeddings' };
  const res: EmbeddingsResponse = { model: String(json.model ?? ''), vectors: json.embeddings.map((v) => (Array.isArray(v) ? v.map(Number) : [])) };
  if (typeof json.prompt_eval_count === 'number') res.usage = { inputTokens: json.prompt_eval_count, outputTokens: 0 };
  return res;
}
