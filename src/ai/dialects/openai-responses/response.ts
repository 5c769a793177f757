/**
 * The `response` object of the Responses API and its output items, built from one model of
 * the output that both the whole answer (render.ts) and the stream (stream.ts) fill in.
 */
import type { FinishReason, Usage } from '../../types.ts';
import type { RenderContext } from '../types.ts';
import { DEFAULT_ECHO } from './echo.ts';

/** One output item as the gateway builds it. */
export type OutputItem = { kind: 'message'; id: string; text: string } | { kind: 'function_call'; id: string; callId: string; name: string; args: string };

export type ItemStatus = 'in_progress' | 'completed' | 'incomplete';

export function renderItem(item: OutputItem, status: ItemStatus): Record<string, unknown> {
  if (item.kind === 'function_call') return { id: item.id, type: 'function_call', status, call_id: item.callId, name: item.name, arguments: item.args };
  return { id: item.id, type: 'message', status, role: 'assistant', content: item.text === '' && status === 'in_progress' ? [] : [outputText(item.text)] };
}

export function outputText(text: string): Record<string, unknown> {
  return { type: 'output_text', text, annotations: [], logprobs: [] };
}

/**
 * Ids the gateway gives the response and its items, from the request id (the provider's own
 * id means nothing to a Responses client: the gateway stores nothing to retrieve by it).
 */
export function responseIds(ctx: RenderContext) {
  const tail = ctx.requestId.replace(/^req_/, '');
  return { response: `resp_${tail}`, item: (kind: 'msg' | 'fc', n: number) => `${kind}_${tail}_${n}` };
}

export type ResponseStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed';

/** The status a finished answer gets, and why it is incomplete. */
export function finishStatus(reason: FinishReason | undefined): { status: ResponseStatus; incomplete?: string } {
  if (reason === 'length') return { status: 'incomplete', incomplete: 'max_output_tokens' };
  if (reason === 'content_filter') return { status: 'incomplete', incomplete: 'content_filter' };
  if (reason === 'error') return { status: 'failed' };
  return { status: 'completed' };
}

export interface ResponseState {
  status: ResponseStatus;
  incomplete?: string;
  output: OutputItem[];
  usage?: Usage;
  error?: { code: string; message: string };
}

/**
 * The response object. The request's members come from ctx.echo (see echo.ts); the rest are
 * what a gateway that stores nothing and runs no tools of its own can say: never background,
 * never stored, no previous response, truncation disabled (a prompt over the context window is
 * refused), no log probabilities, and null for what it cannot know (the service tier).
 */
export function responseObject(ctx: RenderContext, s: ResponseState): Record<string, unknown> {
  const itemStatus: ItemStatus = s.status === 'completed' ? 'completed' : s.status === 'in_progress' ? 'in_progress' : 'incomplete';
  const echo = ctx.echo ?? DEFAULT_ECHO;
  return {
    id: responseIds(ctx).response,
    object: 'response',
    created_at: ctx.created,
    status: s.status,
    background: false,
    completed_at: s.status === 'completed' ? Math.max(ctx.created, Math.floor(Date.now() / 1000)) : null,
    error: s.error ?? (s.status === 'failed' ? { code: 'server_error', message: 'The model\'s answer ended in an error.' } : null),
    incomplete_details: s.incomplete ? { reason: s.incomplete } : null,
    model: ctx.model,
    output: s.output.map((i) => renderItem(i, itemStatus)),
    // instructions, max_output_tokens, temperature, top_p, tools, tool_choice, text, metadata, safety_identifier, user
    ...echo,
    parallel_tool_calls: true,
    previous_response_id: null,
    prompt_cache_key: null,
    prompt_cache_retention: null,
    reasoning: { effort: null, summary: null },
    service_tier: null,
    store: false,
    top_logprobs: 0,
    truncation: 'disabled',
    usage: s.usage ? responsesUsage(s.usage) : null,
  };
}

/**
 * A failure's `error` member: the API's own codes (a client switches on them), rate_limit_exceeded
 * for a 429 and server_error for the rest. The Pinpoint code goes in the `error` event that follows.
 */
export function responseError(status: number, message: string): { code: string; message: string } {
  return { code: status === 429 ? 'rate_limit_exceeded' : 'server_error', message };
}

export function responsesUsage(u: Usage): Record<string, unknown> {
  return {
    input_tokens: u.inputTokens,
    // The canonical usage has no cache writes; the type wants a number, and 0 is what the API sends without any.
    input_tokens_details: { cached_tokens: u.cachedInputTokens ?? 0, cache_write_tokens: 0 },
    output_tokens: u.outputTokens,
    output_tokens_details: { reasoning_tokens: u.reasoningTokens ?? 0 },
    total_tokens: u.inputTokens + u.outputTokens,
  };
}
