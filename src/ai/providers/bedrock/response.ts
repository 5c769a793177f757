import type { ChatResponse, FinishReason, Part, ProviderError, Usage } from '../../types.ts';
import { headerValue, invalidAnswer, isObject, parseJson } from '../common/http.ts';
import { JSON_TOOL } from '../common/tools.ts';
import type { ProviderHeaders } from '../types.ts';
import { bedrockError } from './errors.ts';

/** Converse's inputTokens leaves out cache reads and writes: the canonical input is all three. */
export function usageOf(u: Record<string, unknown>): Usage {
  const n = (k: string) => (typeof u[k] === 'number' ? (u[k] as number) : 0);
  const usage: Usage = { inputTokens: n('inputTokens') + n('cacheReadInputTokens') + n('cacheWriteInputTokens'), outputTokens: n('outputTokens') };
  if (n('cacheReadInputTokens')) usage.cachedInputTokens = n('cacheReadInputTokens');
  return usage;
}

/** stopReason → canonical; the JSON tool's forced call is an ordinary stop. */
export function finishOf(stopReason: unknown, jsonTool: boolean): FinishReason {
  switch (stopReason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return jsonTool ? 'stop' : 'tool_calls';
    case 'guardrail_intervened':
    case 'content_filtered':
      return 'content_filter';
    case 'malformed_model_output':
    case 'malformed_tool_use':
      return 'error';
    default:
      return 'stop';
  }
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
  let jsonTool = false;
  for (const b of message.content) {
    if (!isObject(b)) continue;
    if (typeof b.text === 'string') parts.push({ type: 'text', text: b.text });
    else if (isObject(b.toolUse) && b.toolUse.name === JSON_TOOL) {
      jsonTool = true;
      parts.push({ type: 'text', text: JSON.stringify(b.toolUse.input ?? {}) });
    } else if (isObject(b.toolUse)) parts.push({ type: 'tool_call', id: String(b.toolUse.toolUseId), name: String(b.toolUse.name), arguments: JSON.stringify(b.toolUse.input ?? {}) });
  }
  const resp: ChatResponse = { id: headerValue(headers, 'x-amzn-requestid') ?? '', model: '', parts, finishReason: finishOf(json.stopReason, jsonTool) };
  if (isObject(json.usage)) resp.usage = usageOf(json.usage);
  return resp;
}
