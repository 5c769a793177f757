import type { StreamEvent, Usage } from '../../types.ts';
import { invalidAnswer, isObject, parseJson, streamCut } from '../common/http.ts';
import { SseReader } from '../common/sse.ts';
import { JSON_TOOL } from '../common/tools.ts';
import type { StreamDecoder } from '../types.ts';
import { errorOf, finishOf, usageOf } from './response.ts';

/** What a content block is, by the index Anthropic gives it. */
type BlockKind = { kind: 'tool'; toolIndex: number } | { kind: 'json' } | { kind: 'other' };

/**
 * Messages API SSE: message_start (id, model, input usage), content_block_start /
 * content_block_delta (text_delta, input_json_delta) / content_block_stop, message_delta
 * (stop_reason, cumulative usage), message_stop, ping, error.
 */
export class AnthropicStreamDecoder implements StreamDecoder {
  private readonly sse = new SseReader();
  private readonly blocks = new Map<number, BlockKind>();
  private tools = 0;
  private jsonTool = false;
  private startUsage: Record<string, unknown> = {};
  /** message_stop or an error event arrived: the stream is over. */
  private over = false;

  push(chunk: Uint8Array): StreamEvent[] {
    return this.sse.push(chunk).flatMap((e) => this.event(e.event, e.data));
  }

  end(): StreamEvent[] {
    const out = this.sse.end().flatMap((e) => this.event(e.event, e.data));
    if (!this.over) {
      this.over = true;
      out.push({ type: 'error', error: streamCut('Anthropic') });
    }
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
        const out: StreamEvent[] = [{ type: 'finish', reason: finishOf(delta.stop_reason, this.jsonTool && this.tools === 0) }];
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
    if (block.type === 'tool_use' && block.name === JSON_TOOL) {
      this.jsonTool = true;
      this.blocks.set(index, { kind: 'json' });
      return [];
    }
    if (block.type === 'tool_use') {
      const toolIndex = this.tools++;
      this.blocks.set(index, { kind: 'tool', toolIndex });
      return [{ type: 'tool_call', index: toolIndex, id: String(block.id), name: String(block.name), argumentsDelta: '' }];
    }
    this.blocks.set(index, { kind: 'other' });
    return block.type === 'text' && typeof block.text === 'string' && block.text ? [{ type: 'text', text: block.text }] : [];
  }

  private blockDelta(index: number, delta: Record<string, unknown>): StreamEvent[] {
    if (delta.type === 'text_delta' && typeof delta.text === 'string' && delta.text) return [{ type: 'text', text: delta.text }];
    if (delta.type !== 'input_json_delta' || typeof delta.partial_json !== 'string' || !delta.partial_json) return [];
    const block = this.blocks.get(index);
    if (block?.kind === 'json') return [{ type: 'text', text: delta.partial_json }];
    if (block?.kind === 'tool') return [{ type: 'tool_call', index: block.toolIndex, argumentsDelta: delta.partial_json }];
    return [];
  }

  /** message_delta's figures win; the ones it leaves out or sends as null keep message_start's. */
  private usage(delta: Record<string, unknown>): Usage {
    const merged = { ...this.startUsage };
    for (const [k, v] of Object.entries(delta)) if (v !== null && v !== undefined) merged[k] = v;
    return usageOf(merged);
  }
}
