import type { ChatResponse, FinishReason, Part, ProviderError, Usage } from '../../types.ts';
import { invalidAnswer, isObject, parseJson, providerError } from '../common/http.ts';
import { finishFrom, toolUsePart } from '../common/tools.ts';
import { count, usage } from '../common/usage.ts';
import type { ProviderHeaders } from '../types.ts';

/**
 * Anthropic's input_tokens leaves out cache reads and writes: the canonical input is all
 * three. output_tokens includes the thinking, which output_tokens_details.thinking_tokens
 * counts (when the API sends it).
 */
export function usageOf(u: Record<string, unknown>): Usage {
  const read = count(u, 'cache_read_input_tokens');
  const thinking = isObject(u.output_tokens_details) ? count(u.output_tokens_details, 'thinking_tokens') : 0;
  return usage(count(u, 'input_tokens') + read + count(u, 'cache_creation_input_tokens'), count(u, 'output_tokens'), read, thinking);
}

const STOP_REASONS: Record<string, FinishReason> = {
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};

/** stop_reason → canonical (end_turn, stop_sequence, pause_turn and unknown ones: stop). */
export function finishOf(stopReason: unknown, toolCalls: boolean): FinishReason {
  return finishFrom(STOP_REASONS, stopReason, toolCalls);
}

/** The matched stop sequence Anthropic names beside stop_reason "stop_sequence" (undefined for any other stop). */
export function stopSequenceOf(stopReason: unknown, stopSequence: unknown): string | undefined {
  return stopReason === 'stop_sequence' && typeof stopSequence === 'string' ? stopSequence : undefined;
}

/** An error envelope `{type:'error', error:{type, message}}` (in a 200 body or a stream event). */
export function errorOf(status: number, headers: ProviderHeaders, json: unknown, body?: Buffer): ProviderError {
  const e = isObject(json) && isObject(json.error) ? json.error : {};
  return providerError(status, headers, { message: e.message, type: e.type }, 'request-id', body);
}

export function chatResponse(body: Buffer, headers: ProviderHeaders): ChatResponse | ProviderError {
  const json = parseJson(body);
  if (isObject(json) && json.type === 'error') return errorOf(200, headers, json, body);
  if (!isObject(json) || !Array.isArray(json.content)) return invalidAnswer('a Messages API message', body);
  const parts: Part[] = [];
  for (const b of json.content) {
    if (!isObject(b)) continue;
    if (b.type === 'text' && typeof b.text === 'string') parts.push({ type: 'text', text: b.text });
    else if (b.type === 'tool_use') parts.push(toolUsePart(b.id, b.name, b.input));
  }
  const toolCalls = parts.some((p) => p.type === 'tool_call');
  const resp: ChatResponse = { id: String(json.id ?? ''), model: String(json.model ?? ''), parts, finishReason: finishOf(json.stop_reason, toolCalls) };
  const stopSequence = stopSequenceOf(json.stop_reason, json.stop_sequence);
  if (stopSequence !== undefined) resp.stopSequence = stopSequence;
  if (isObject(json.usage)) resp.usage = usageOf(json.usage);
  return resp;
}
