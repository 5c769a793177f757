/**
 * The JSON an OpenAI server answers with: chat.completion, chat.completion.chunk, the
 * embeddings list and the error envelope, as api.openai.com shapes them (Azure's first
 * stream chunk and error envelope too). Used by the OpenAI fake (openai.ts).
 */
import { madeUpVector } from './server.ts';
import type { FakeScript } from './types.ts';

export type ScriptedUsage = { input: number; output: number; cached?: number; reasoning?: number };

export function usageJson(u: ScriptedUsage) {
  return {
    prompt_tokens: u.input,
    completion_tokens: u.output,
    total_tokens: u.input + u.output,
    prompt_tokens_details: { cached_tokens: u.cached ?? 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: u.reasoning ?? 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

export interface AnswerIds {
  id: string;
  model: string;
  created: number;
}

export function completionJson(ids: AnswerIds, script: FakeScript, text: string, usage: ScriptedUsage | undefined) {
  const call = script.toolCall;
  const message = call
    ? { role: 'assistant', content: null, refusal: null, tool_calls: [{ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } }] }
    : { role: 'assistant', content: text, refusal: null };
  return {
    id: ids.id,
    object: 'chat.completion',
    created: ids.created,
    model: ids.model,
    system_fingerprint: 'fp_fake',
    choices: [{ index: 0, message, logprobs: null, finish_reason: call ? 'tool_calls' : 'stop' }],
    ...(usage && { usage: usageJson(usage) }),
  };
}

/** One chat.completion.chunk; with include_usage every chunk but the last carries `usage: null`. */
export function chunkJson(ids: AnswerIds, delta: Record<string, unknown>, finish: string | null, includeUsage: boolean) {
  return {
    id: ids.id,
    object: 'chat.completion.chunk',
    created: ids.created,
    model: ids.model,
    system_fingerprint: 'fp_fake',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    ...(includeUsage && { usage: null }),
  };
}

export function usageChunkJson(ids: AnswerIds, usage: ScriptedUsage) {
  return { id: ids.id, object: 'chat.completion.chunk', created: ids.created, model: ids.model, system_fingerprint: 'fp_fake', choices: [], usage: usageJson(usage) };
}

/** Azure's stream opens with the prompt's content-filter results, in a chunk with no id, model or choices. */
export const AZURE_PROMPT_FILTER_CHUNK = {
  choices: [],
  created: 0,
  id: '',
  model: '',
  object: '',
  prompt_filter_results: [{ prompt_index: 0, content_filter_results: { hate: { filtered: false, severity: 'safe' } } }],
};

/** The deltas of a streamed answer: the argument pieces of a tool call, or the text pieces. */
export function deltaFor(script: FakeScript, piece: string, index: number): Record<string, unknown> {
  const call = script.toolCall;
  if (!call) return index === 0 ? { role: 'assistant', content: piece, refusal: null } : { content: piece };
  const args = { index: 0, function: { arguments: piece } };
  return index === 0 ? { role: 'assistant', content: null, tool_calls: [{ ...args, id: call.id, type: 'function', function: { name: call.name, arguments: piece } }] } : { tool_calls: [args] };
}

export function embeddingsJson(model: string, inputs: string[], dimensions: number, base64: boolean, promptTokens: number | undefined) {
  const data = inputs.map((text, index) => {
    const vector = madeUpVector(text, dimensions);
    return { object: 'embedding', index, embedding: base64 ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector };
  });
  return { object: 'list', data, model, ...(promptTokens !== undefined && { usage: { prompt_tokens: promptTokens, total_tokens: promptTokens } }) };
}

const OPENAI_ERROR_DEFAULTS: Record<number, { type: string; code: string | null }> = {
  400: { type: 'invalid_request_error', code: null },
  401: { type: 'invalid_request_error', code: 'invalid_api_key' },
  403: { type: 'request_forbidden', code: 'unsupported_country_region_territory' },
  404: { type: 'invalid_request_error', code: 'model_not_found' },
  429: { type: 'requests', code: 'rate_limit_exceeded' },
};

/** OpenAI's envelope; a scripted type is both type and code (as OpenAI sends 'insufficient_quota'). */
export function openaiErrorJson(status: number, message: string, type?: string) {
  const d = OPENAI_ERROR_DEFAULTS[status] ?? { type: status >= 500 ? 'server_error' : 'invalid_request_error', code: null };
  return { error: { message, type: type ?? d.type, param: null, code: type ?? d.code } };
}

/** Azure's envelope: a code (the status as text when nothing more specific) and the message. */
export function azureErrorJson(status: number, message: string, type?: string) {
  return { error: { code: type ?? String(status), message } };
}
