import type { StreamEvent, Usage } from '../../types.ts';
import { invalidAnswer, isObject, parseJson, streamCut } from '../common/http.ts';
import { SseReader } from '../common/sse.ts';
import { ToolBlocks } from '../common/tools.ts';
import type { StreamDecoder } from '../types.ts';
import { errorOf, finishOf, stopSequenceOf, usageOf } from './response.ts';

/**
 * Messages API SSE: message_start (id, model, input usage), content_block_start /
 * content_block_delta (text_delta, input_json_delta) / content_block_stop, message_delta
 * (stop_reason, the stop sequence that matched, cumulative usage), message_stop, ping, error.
 * The answer is whole once message_delta came (as for Anthropic's SDK); a stream that ends
 * before it was cut.
 */
export class AnthropicStreamDecoder implements StreamDecoder {
  private readonly sse = new SseReader();
  private readonly tools = new ToolBlocks();
  private startUsage: Record<string, unknown> = {};
  /** message_delta brought the stop reason. */
  private finished = false;
  /** message_stop or an error event arrived: the stream is over. */
  private over = false;

  push(chunk: Uint8Array): StreamEvent[] {
    return this.sse.push(chunk).flatMap((e) => this.event(e.event, e.data));
  }

  end(): StreamEvent[] {
    const out = this.sse.end().flatMap((e) => this.event(e.event, e.data));
    if (!this.over && !this.finished) out.push({ type: 'error', error: streamCut('Anthropic') });
    this.over = true;
    return out;
  }

  private event(name: string | undefined, data: string): StreamEvent[] {
    if (this.over) return [];
    const json = parseJson(data);
    if (!isObject(json)) {
      this.over = true;
      return [{ type: 'error', error: invalidAnswer('a Messages API stream event', data) }];
    }
    switch (name ?? json.type) {
      case 'message_start': {
        const m = isObject(json.message) ? json.message : {};
        if (isObject(m.usage)) this.startUsage = m.usage;
        return [{ type: 'start', id: String(m.id ?? ''), model: String(m.model ?? '') }];
      }
      case 'content_block_start':
        return this.blockStart(Number(json.index), isObject(json.content_block) ? json.content_block : {});
      case 'content_block_delta':
        return this.blockDelta(Number(json.index), isObject(json.delta) ? json.delta : {});
      case 'message_delta': {
        const delta = isObject(json.delta) ? json.delta : {};
        this.finished = true;
        const stopSequence = stopSequenceOf(delta.stop_reason, delta.stop_sequence);
        const out: StreamEvent[] = [{ type: 'finish', reason: finishOf(delta.stop_reason, this.tools.toolCalls), ...(stopSequence !== undefined ? { stopSequence } : {}) }];
        if (isObject(json.usage)) out.push({ type: 'usage', usage: this.usage(json.usage) });
        return out;
      }
      case 'message_stop':
        this.over = true;
        return [];
      case 'error':
        this.over = true;
        return [{ type: 'error', error: errorOf(200, {}, json) }];
      default:
        // ping, content_block_stop, and event types added later carry nothing canonical.
        return [];
    }
  }

  private blockStart(index: number, block: Record<string, unknown>): StreamEvent[] {
    if (block.type === 'tool_use') return this.tools.start(index, String(block.id), String(block.name));
    return block.type === 'text' && typeof block.text === 'string' && block.text ? [{ type: 'text', text: block.text }] : [];
  }

  private blockDelta(index: number, delta: Record<string, unknown>): StreamEvent[] {
    if (delta.type === 'text_delta' && typeof delta.text === 'string' && delta.text) return [{ type: 'text', text: delta.text }];
    if (delta.type === 'input_json_delta' && typeof delta.partial_json === 'string') return this.tools.piece(index, delta.partial_json);
    return [];
  }

  /** message_delta's figures win; the ones it leaves out or sends as null keep message_start's. */
  private usage(delta: Record<string, unknown>): Usage {
    const merged = { ...this.startUsage };
    for (const [k, v] of Object.entries(delta)) if (v !== null && v !== undefined) merged[k] = v;
    return usageOf(merged);
  }
}
