/**
 * Canonical stream events → Anthropic's SSE: message_start, then per content block
 * content_block_start, content_block_delta (text_delta / input_json_delta), content_block_stop,
 * and at the end message_delta (stop_reason, the stop sequence that matched, and the usage,
 * input tokens included, which the SDK takes as whole-message totals) and message_stop.
 */
import type { FinishReason, StreamEvent, Usage } from '../../types.ts';
import { sse } from '../shared/sse.ts';
import type { AiError, RenderContext, StreamEncoder } from '../types.ts';
import { anthropicErrorBody } from './error.ts';
import { anthropicDeltaUsage, anthropicUsage, stopFields, textBlock, toolUseBlock } from './render.ts';

export class MessageEventEncoder implements StreamEncoder {
  private id: string;
  private started = false;
  private blocks = 0;
  /** Index of the open content block (-1: none) and whether it is text. */
  private open = -1;
  private openIsText = false;
  /** Canonical tool call index → content block index. */
  private readonly calls = new Map<number, number>();
  private finish?: FinishReason;
  private stopSequence?: string;
  private usage?: Usage;

  constructor(private readonly ctx: RenderContext) {
    this.id = ctx.requestId;
  }

  event(e: StreamEvent): string {
    switch (e.type) {
      case 'start':
        if (e.id && !this.started) this.id = e.id;
        return this.begin();
      case 'text': {
        let out = this.begin();
        if (this.open < 0 || !this.openIsText) out += this.startBlock(textBlock(''), true);
        return out + this.send('content_block_delta', { index: this.open, delta: { type: 'text_delta', text: e.text } });
      }
      case 'tool_call': {
        let out = this.begin();
        let index = this.calls.get(e.index);
        if (index === undefined) {
          out += this.startBlock(toolUseBlock(e.id ?? `toolu_${this.blocks}`, e.name ?? '', {}), false);
          index = this.open;
          this.calls.set(e.index, index);
        }
        // A delta for a call whose block was closed (a provider interleaving calls) still goes out under that block's index.
        if (!e.argumentsDelta) return out;
        return out + this.send('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: e.argumentsDelta } });
      }
      case 'finish':
        this.finish = e.reason;
        this.stopSequence = e.stopSequence;
        return '';
      case 'usage':
        this.usage = e.usage;
        return '';
      case 'error':
        // The server turns a provider's error into an AiError (its code, its audience) and calls error().
        return '';
    }
  }

  end(): string {
    const out = this.begin() + this.closeBlock();
    const delta = this.send('message_delta', {
      delta: { ...stopFields(this.finish, this.stopSequence), container: null },
      usage: anthropicDeltaUsage(this.usage ?? { inputTokens: 0, outputTokens: 0 }),
    });
    return out + delta + this.send('message_stop', {});
  }

  /**
   * Anthropic's mid-stream error: `event: error` with the error envelope, on which the
   * Anthropic SDK throws. The usage so far goes first in a message_delta (stop_reason still
   * null), the one place the wire has for it.
   */
  error(e: AiError, usage?: Usage): string {
    const u = usage ?? this.usage;
    let out = this.begin();
    if (u) out += this.send('message_delta', { delta: { stop_reason: null, stop_sequence: null, stop_details: null, container: null }, usage: anthropicDeltaUsage(u) });
    return out + this.send('error', anthropicErrorBody(e));
  }

  private begin(): string {
    if (this.started) return '';
    this.started = true;
    const message = { id: this.id, type: 'message', role: 'assistant', model: this.ctx.model, content: [], stop_reason: null, stop_sequence: null, stop_details: null, container: null, diagnostics: null };
    // The input count is known only at the end (most providers report usage last); message_delta carries it.
    return this.send('message_start', { message: { ...message, usage: anthropicUsage(this.usage ?? { inputTokens: 0, outputTokens: 0 }) } });
  }

  private startBlock(block: Record<string, unknown>, isText: boolean): string {
    const out = this.closeBlock();
    this.open = this.blocks++;
    this.openIsText = isText;
    return out + this.send('content_block_start', { index: this.open, content_block: block });
  }

  private closeBlock(): string {
    if (this.open < 0) return '';
    const out = this.send('content_block_stop', { index: this.open });
    this.open = -1;
    return out;
  }

  private send(type: string, body: Record<string, unknown>): string {
    return sse({ type, ...body }, type);
  }
}
