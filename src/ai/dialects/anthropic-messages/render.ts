/** A canonical ChatResponse → an Anthropic `message` object. */
import type { ChatResponse, FinishReason, Usage } from '../../types.ts';
import type { RenderContext } from '../types.ts';

export function renderMessage(resp: ChatResponse, ctx: RenderContext): unknown {
  const content: unknown[] = [];
  for (const p of resp.parts) {
    const last = content[content.length - 1] as { type: string; text: string } | undefined;
    if (p.type === 'text') {
      if (last?.type === 'text') last.text += p.text;
      else content.push({ type: 'text', text: p.text });
    } else if (p.type === 'tool_call') {
      content.push({ type: 'tool_use', id: p.id, name: p.name, input: toolInput(p.arguments) });
    }
  }
  return {
    id: resp.id || ctx.requestId,
    type: 'message',
    role: 'assistant',
    model: ctx.model,
    content,
    stop_reason: stopReason(resp.finishReason),
    stop_sequence: null,
    // Anthropic's message always has usage; the gateway estimates when the provider sent none, so zeros are a last resort.
    usage: anthropicUsage(resp.usage ?? { inputTokens: 0, outputTokens: 0 }),
  };
}

/**
 * The canonical finish reason carries no stop sequence, so a stop on one reads end_turn.
 * 'error' has no Anthropic form; the server sends an error instead of an answer that ended so.
 */
export function stopReason(r: FinishReason | undefined): string {
  if (r === 'length') return 'max_tokens';
  if (r === 'tool_calls') return 'tool_use';
  if (r === 'content_filter') return 'refusal';
  return 'end_turn';
}

/** Anthropic counts input_tokens without the cached ones (cache reads are their own figure). */
export function anthropicUsage(u: Usage): Record<string, unknown> {
  const cached = u.cachedInputTokens ?? 0;
  return { input_tokens: u.inputTokens - cached, cache_creation_input_tokens: null, cache_read_input_tokens: cached, output_tokens: u.outputTokens };
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
