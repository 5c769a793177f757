import type { ChatResponse, FinishReason, Part, ProviderError, Usage } from '../../types.ts';
import { headerValue, invalidAnswer, isObject, parseJson } from '../common/http.ts';
import { finishFrom, toolUsePart } from '../common/tools.ts';
import { count, usage } from '../common/usage.ts';
import type { ProviderHeaders } from '../types.ts';
import { bedrockError } from './errors.ts';

/** Converse's inputTokens leaves out cache reads and writes: the canonical input is all three. */
export function usageOf(u: Record<string, unknown>): Usage {
  const read = count(u, 'cacheReadInputTokens');
  return usage(count(u, 'inputTokens') + read + count(u, 'cacheWriteInputTokens'), count(u, 'outputTokens'), read);
}

const STOP_REASONS: Record<string, FinishReason> = {
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  guardrail_intervened: 'content_filter',
  content_filtered: 'content_filter',
  malformed_model_output: 'error',
  malformed_tool_use: 'error',
};

/** stopReason → canonical (end_turn, stop_sequence and unknown ones: stop). */
export function finishOf(stopReason: unknown, toolCalls: boolean): FinishReason {
  return finishFrom(STOP_REASONS, stopReason, toolCalls);
}

/**
 * The stop sequence that ended a Converse answer. Converse's stopReason "stop_sequence" does not
 * say which; the model's own answer does where the request asked for it back
 * (additionalModelResponseFieldPaths ["/stop_sequence"], Anthropic's models), in
 * additionalModelResponseFields.
 */
export function stopSequenceOf(json: Record<string, unknown>): string | undefined {
  const extra = json.additionalModelResponseFields;
  return json.stopReason === 'stop_sequence' && isObject(extra) && typeof extra.stop_sequence === 'string' ? extra.stop_sequence : undefined;
}

/**
 * A Converse answer. It names neither an id nor the model: the id is Bedrock's request id,
 * and the model is left empty for the gateway, which knows which one it called.
 */
export function converseResponse(body: Buffer, headers: ProviderHeaders): ChatResponse | ProviderError {
  const parsed = parseJson(body);
  const json = isObject(parsed) ? parsed : {};
  const message = isObject(json.output) && isObject(json.output.message) ? json.output.message : undefined;
  if (!message || !Array.isArray(message.content)) {
    // An error inside a 200: a body with a message and no output.
    if (typeof json.message === 'string' || typeof json.Message === 'string') return bedrockError(200, headers, body);
    return invalidAnswer('a Bedrock Converse answer', body);
  }
  const parts: Part[] = [];
  for (const b of message.content) {
    if (!isObject(b)) continue;
    if (typeof b.text === 'string') parts.push({ type: 'text', text: b.text });
    else if (isObject(b.toolUse)) parts.push(toolUsePart(b.toolUse.toolUseId, b.toolUse.name, b.toolUse.input));
  }
  const toolCalls = parts.some((p) => p.type === 'tool_call');
  const resp: ChatResponse = { id: headerValue(headers, 'x-amzn-requestid') ?? '', model: '', parts, finishReason: finishOf(json.stopReason, toolCalls) };
  const stopSequence = stopSequenceOf(json);
  if (stopSequence !== undefined) resp.stopSequence = stopSequence;
  if (isObject(json.usage)) resp.usage = usageOf(json.usage);
  return resp;
}
