/** A canonical ChatResponse → an Anthropic `message` object. */
import type { ChatResponse, FinishReason, Usage } from '../../types.ts';
import type { RenderContext } from '../types.ts';

export function renderMessage(resp: ChatResponse, ctx: RenderContext): unknown {
  const content: unknown[] = [];
  for (const p of resp.parts) {
    const last = content[content.length - 1] as { type: string; text: string } | undefined;
    if (p.type === 'text') {
      if (last?.type === 'text') last.text += p.text;
      else content.push(textBlock(p.text));
    } else if (p.type === 'tool_call') {
      content.push(toolUseBlock(p.id, p.name, toolInput(p.arguments)));
    }
  }
  return {
    id: resp.id || ctx.requestId,
    type: 'message',
    role: 'assistant',
    model: ctx.model,
    content,
    ...stopFields(resp.finishReason, resp.stopSequence),
    // Members the gateway never fills (code execution containers, cache diagnostics), null as the API sends them when unused.
    container: null,
    diagnostics: null,
    // Anthropic's message always has usage; the gateway estimates when the provider sent none, so zeros are a last resort.
    usage: anthropicUsage(resp.usage ?? { inputTokens: 0, outputTokens: 0 }),
  };
}

export function textBlock(text: string): Record<string, unknown> {
  return { type: 'text', text, citations: null };
}

/** A tool_use block; the gateway's tool calls are all the model's own (caller "direct", not code execution's). */
export function toolUseBlock(id: string, name: string, input: unknown): Record<string, unknown> {
  return { type: 'tool_use', id, name, input, caller: { type: 'direct' } };
}

/**
 * Why the answer ended, as the message (and a stream's message_delta) says it: the stop reason,
 * the stop sequence that matched (null unless the provider named one: OpenAI and Gemini report
 * a stop on a sequence as a plain stop, which reads end_turn), and the refusal details.
 */
export function stopFields(r: FinishReason | undefined, stopSequence: string | undefined): { stop_reason: string; stop_sequence: string | null; stop_details: unknown } {
  const sequence = r === 'stop' || r === undefined ? stopSequence : undefined;
  const stop_reason = sequence !== undefined ? 'stop_sequence' : stopReason(r);
  // The gateway knows no refusal category; the API's details are null-filled when it has none either.
  const stop_details = stop_reason === 'refusal' ? { type: 'refusal', category: null, explanation: null } : null;
  return { stop_reason, stop_sequence: sequence ?? null, stop_details };
}

/** 'error' has no Anthropic form; the server sends an error instead of an answer that ended so. */
export function stopReason(r: FinishReason | undefined): string {
  if (r === 'length') return 'max_tokens';
  if (r === 'tool_calls') return 'tool_use';
  if (r === 'content_filter') return 'refusal';
  return 'end_turn';
}

/**
 * A message's usage. Anthropic counts input_tokens without the cached ones (cache reads are
 * their own figure); what the gateway cannot know (cache writes, the service tier, the
 * region) is null, as the API's type allows.
 */
export function anthropicUsage(u: Usage): Record<string, unknown> {
  return { ...anthropicDeltaUsage(u), cache_creation: null, service_tier: null, inference_geo: null, speed: null };
}

/** The usage of a stream's message_delta: the cumulative figures its type has (the SDK overwrites its snapshot with each). */
export function anthropicDeltaUsage(u: Usage): Record<string, unknown> {
  const cached = u.cachedInputTokens ?? 0;
  return {
    input_tokens: u.inputTokens - cached,
    cache_creation_input_tokens: null,
    cache_read_input_tokens: cached,
    output_tokens: u.outputTokens,
    output_tokens_details: outputDetails(u),
    server_tool_use: null,
  };
}

function outputDetails(u: Usage): { thinking_tokens: number } | null {
  return u.reasoningTokens !== undefined ? { thinking_tokens: u.reasoningTokens } : null;
}

/**
 * tool_use.input is an object. The model's arguments normally parse to one; when they do not,
 * the client gets them as the model wrote them rather than an empty object that hides it.
 */
export function toolInput(args: string): unknown {
  if (args.trim() === '') return {};
  try {
    const v: unknown = JSON.parse(args);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? v : args;
  } catch {
    return args;
  }
}
