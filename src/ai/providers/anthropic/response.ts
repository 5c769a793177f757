import type { ChatResponse, FinishReason, Part, ProviderError, Usage } from '../../types.ts';
import { invalidAnswer, isObject, parseJson, providerError } from '../common/http.ts';
import { JSON_TOOL } from '../common/tools.ts';
import type { ProviderHeaders } from '../types.ts';

/**
 * Anthropic's input_tokens leaves out cache reads and writes: the canonical input is all
 * three. output_tokens includes the thinking, which output_tokens_details.thinking_tokens
 * counts (when the API sends it).
 */
export function usageOf(u: Record<string, unknown>): Usage {
  const n = (k: string) => (typeof u[k] === 'number' ? (u[k] as number) : 0);
  const usage: Usage = { inputTokens: n('input_tokens') + n('cache_read_input_tokens') + n('cache_creation_input_tokens'), outputTokens: n('output_tokens') };
  if (n('cache_read_input_tokens')) usage.cachedInputTokens = n('cache_read_input_tokens');
  const thinking = isObject(u.output_tokens_details) ? u.output_tokens_details.thinking_tokens : undefined;
  if (typeof thinking === 'number' && thinking > 0) usage.reasoningTokens = thinking;
  return usage;
}

/** stop_reason → canonical; the JSON tool's forced call is an ordinary stop. */
export function finishOf(stopReason: unknown, jsonTool: boolean): FinishReason {
  switch (stopReason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return jsonTool ? 'stop' : 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      return 'stop';
  }
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
  let jsonTool = false;
  for (const b of json.content) {
    if (!isObject(b)) continue;
    if (b.type === 'text' && typeof b.text === 'string') parts.push({ type: 'text', text: b.text });
    else if (b.type === 'tool_use' && b.name === JSON_TOOL) {
      jsonTool = true;
      parts.push({ type: 'text', text: JSON.stringify(b.input ?? {}) });
    } else if (b.type === 'tool_use') parts.push({ type: 'tool_call', id: String(b.id), name: String(b.name), arguments: JSON.stringify(b.input ?? {}) });
  }
  const resp: ChatResponse = { id: String(json.id ?? ''), model: String(json.model ?? ''), parts, finishReason: finishOf(json.stop_reason, jsonTool) };
  if (isObject(json.usage)) resp.usage = usageOf(json.usage);
  return resp;
}
