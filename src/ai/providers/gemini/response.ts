import { randomUUID } from 'node:crypto';
import type { ChatResponse, EmbeddingsResponse, FinishReason, Part, ProviderError, Usage } from '../../types.ts';
import { invalidAnswer, isObject, parseJson } from '../common/http.ts';
import type { ProviderHeaders } from '../types.ts';
import { count, usage } from '../common/usage.ts';
import { errorIn } from './errors.ts';
import { toolCallId } from './signature.ts';

/**
 * usageMetadata: promptTokenCount includes cached content; candidatesTokenCount leaves out
 * the thinking, which Gemini bills as output (thoughtsTokenCount); tool-use prompts (code
 * execution, grounding) are input too.
 */
export function usageOf(u: Record<string, unknown>): Usage {
  const thoughts = count(u, 'thoughtsTokenCount');
  return usage(count(u, 'promptTokenCount') + count(u, 'toolUsePromptTokenCount'), count(u, 'candidatesTokenCount') + thoughts, count(u, 'cachedContentTokenCount'), thoughts);
}

const FILTERED = new Set(['SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'IMAGE_SAFETY', 'IMAGE_PROHIBITED_CONTENT', 'IMAGE_RECITATION']);
/** The model stopped because something went wrong, not because it was done. */
const FAILED = new Set(['MALFORMED_FUNCTION_CALL', 'UNEXPECTED_TOOL_CALL', 'TOO_MANY_TOOL_CALLS', 'LANGUAGE', 'OTHER']);

export function finishOf(reason: unknown, toolCalls: boolean): FinishReason {
  if (reason === 'MAX_TOKENS') return 'length';
  if (typeof reason === 'string' && FILTERED.has(reason)) return 'content_filter';
  if (typeof reason === 'string' && FAILED.has(reason)) return 'error';
  return toolCalls ? 'tool_calls' : 'stop';
}

/** One candidate's parts as canonical parts (thought summaries are not the answer). */
export function partsOf(candidate: Record<string, unknown>): Part[] {
  const content = isObject(candidate.content) ? candidate.content : {};
  const parts: Part[] = [];
  for (const p of Array.isArray(content.parts) ? content.parts : []) {
    if (!isObject(p) || p.thought === true) continue;
    if (typeof p.text === 'string') parts.push({ type: 'text', text: p.text });
    else if (isObject(p.functionCall)) {
      const fc = p.functionCall;
      parts.push({ type: 'tool_call', id: toolCallId(fc.id, p.thoughtSignature), name: String(fc.name), arguments: JSON.stringify(fc.args ?? {}) });
    }
  }
  return parts;
}

/** The first candidate, and the finish reason of a prompt that was blocked before any candidate. */
export function candidateOf(json: Record<string, unknown>): { candidate: Record<string, unknown>; blocked: boolean } {
  const first = Array.isArray(json.candidates) && isObject(json.candidates[0]) ? json.candidates[0] : {};
  const blocked = isObject(json.promptFeedback) && typeof json.promptFeedback.blockReason === 'string';
  return { candidate: first, blocked };
}

export function chatResponse(body: Buffer, headers: ProviderHeaders): ChatResponse | ProviderError {
  const json = parseJson(body);
  const inside = errorIn(200, headers, json);
  if (inside) return inside;
  if (!isObject(json) || (!Array.isArray(json.candidates) && !isObject(json.promptFeedback))) return invalidAnswer('a Gemini generateContent answer', body);
  const { candidate, blocked } = candidateOf(json);
  const parts = partsOf(candidate);
  const resp: ChatResponse = {
    id: typeof json.responseId === 'string' ? json.responseId : randomUUID(),
    model: String(json.modelVersion ?? ''),
    parts,
    finishReason: blocked ? 'content_filter' : finishOf(candidate.finishReason, parts.some((p) => p.type === 'tool_call')),
  };
  if (isObject(json.usageMetadata)) resp.usage = usageOf(json.usageMetadata);
  return resp;
}

export function embeddingsResponse(body: Buffer, headers: ProviderHeaders): EmbeddingsResponse | ProviderError {
  const json = parseJson(body);
  const inside = errorIn(200, headers, json);
  if (inside) return inside;
  if (!isObject(json) || !Array.isArray(json.embeddings)) return invalidAnswer('a Gemini batchEmbedContents answer', body);
  // batchEmbedContents reports no token counts: the gateway estimates them.
  return { model: '', vectors: json.embeddings.map((e) => (isObject(e) && Array.isArray(e.values) ? (e.values as number[]) : [])) };
}
