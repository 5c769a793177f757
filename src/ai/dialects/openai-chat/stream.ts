/**
 * Canonical stream events → Chat Completions `chat.completion.chunk` SSE: a role delta first,
 * content and tool_call deltas, the finish chunk, then (only when the client asked with
 * stream_options.include_usage) a usage chunk with empty choices, then `data: [DONE]`.
 */
import type { StreamEvent, Usage } from '../../types.ts';
import { openAiErrorObject } from '../shared/openai-error.ts';
import { sse } from '../shared/sse.ts';
import { compact } from '../shared/wire.ts';
import type { AiError, RenderContext, StreamEncoder } from '../types.ts';
import { chatFinishReason, chatUsage } from './render.ts';

export class ChatChunkEncoder implements StreamEncoder {
  private id: string;
  private started = false;
  private usage?: Usage;

  constructor(private readonly ctx: RenderContext) {
    this.id = ctx.requestId;
  }

  event(e: StreamEvent): string {
    switch (e.type) {
      case 'start':
        if (e.id && !this.started) this.id = e.id;
        return this.begin();
      case 'text':
        return this.begin() + this.chunk({ content: e.text });
      case 'tool_call': {
        const first = e.id !== undefined || e.name !== undefined;
        const call = compact({ index: e.index, id: e.id, type: first ? 'function' : undefined, function: compact({ name: e.name, arguments: e.argumentsDelta }) });
        return this.begin() + this.chunk({ tool_calls: [call] });
      }
      case 'finish':
        return this.begin() + this.chunk({}, chatFinishReason(e.reason));
      case 'usage':
        // Sent after the finish chunk, at the end, as OpenAI does.
        this.usage = e.usage;
        return '';
      case 'error':
        // The server turns a provider's error into an AiError (its code, its audience) and calls error().
        return '';
    }
  }

  /** OpenAI's mid-stream error: a data event with an `error` member, on which the openai SDK throws an APIError. */
  error(e: AiError, usage?: Usage): string {
    const u = usage ?? this.usage;
    const usageChunk = u && this.ctx.includeUsage ? this.usageChunk(u) : '';
    return this.begin() + usageChunk + sse({ error: openAiErrorObject(e) });
  }

  end(): string {
    return this.begin() + (this.usage && this.ctx.includeUsage ? this.usageChunk(this.usage) : '') + sse('[DONE]');
  }

  private begin(): string {
    if (this.started) return '';
    this.started = true;
    return this.chunk({ role: 'assistant', content: '', refusal: null });
  }

  private chunk(delta: Record<string, unknown>, finishReason: string | null = null): string {
    return sse(this.base([{ index: 0, delta, logprobs: null, finish_reason: finishReason }], null));
  }

  private usageChunk(u: Usage): string {
    return sse(this.base([], chatUsage(u)));
  }

  private base(choices: unknown[], usage: unknown): Record<string, unknown> {
    // With include_usage, OpenAI sends `usage: null` on every chunk but the last.
    return { id: this.id, object: 'chat.completion.chunk', created: this.ctx.created, model: this.ctx.model, service_tier: null, choices, ...(this.ctx.includeUsage ? { usage } : {}) };
  }
}
