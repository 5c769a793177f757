import { randomUUID } from 'node:crypto';
import type { Message } from '@smithy/eventstream-codec';
import type { ProviderError, StreamEvent } from '../../types.ts';
import { invalidAnswer, isObject, parseJson, streamCut } from '../common/http.ts';
import { ToolBlocks } from '../common/tools.ts';
import type { StreamDecoder } from '../types.ts';
import { FrameReader, stringHeader } from './frames.ts';
import { finishOf, stopSequenceOf, usageOf } from './response.ts';

/**
 * ConverseStream's AWS event stream: events messageStart, contentBlockStart (a tool use's id
 * and name), contentBlockDelta (text, or a tool's input in pieces), contentBlockStop,
 * messageStop (stopReason), metadata (usage); or an exception frame (:message-type exception,
 * :exception-type throttlingException, modelStreamErrorException, ...) at any point. Neither
 * the id nor the model is on the wire: the start event gets a fresh id.
 */
export class BedrockStreamDecoder implements StreamDecoder {
  private readonly frames = new FrameReader();
  private readonly tools = new ToolBlocks();
  private stopped = false;
  private over = false;

  constructor(private readonly newId: () => string = randomUUID) {}

  push(chunk: Uint8Array): StreamEvent[] {
    if (this.over) return [];
    this.frames.append(chunk);
    const out: StreamEvent[] = [];
    while (!this.over) {
      let frame: Message | undefined;
      try {
        frame = this.frames.next();
      } catch (err) {
        out.push(...this.fail({ status: 200, type: 'invalid_response', message: `the answer is not a valid AWS event stream: ${(err as Error).message}` }));
        break;
      }
      if (!frame) break;
      out.push(...this.message(frame));
    }
    return out;
  }

  end(): StreamEvent[] {
    if (this.over) return [];
    this.over = true;
    // After messageStop the answer is whole: a cut in the metadata that follows only loses the usage.
    return this.stopped ? [] : [{ type: 'error', error: streamCut('Bedrock') }];
  }

  private fail(error: ProviderError): StreamEvent[] {
    this.over = true;
    return [{ type: 'error', error }];
  }

  private message(m: Message): StreamEvent[] {
    const text = new TextDecoder().decode(m.body);
    const messageType = stringHeader(m, ':message-type');
    if (messageType === 'exception') {
      const json = parseJson(text);
      const message = isObject(json) && typeof json.message === 'string' ? json.message : text;
      return this.fail({ status: 200, type: stringHeader(m, ':exception-type') ?? 'exception', message });
    }
    if (messageType === 'error') return this.fail({ status: 200, type: stringHeader(m, ':error-code') ?? 'error', message: stringHeader(m, ':error-message') ?? text });
    const json = parseJson(text);
    if (!isObject(json)) return this.fail(invalidAnswer('a ConverseStream event', text));
    switch (stringHeader(m, ':event-type')) {
      case 'messageStart':
        return [{ type: 'start', id: this.newId(), model: '' }];
      case 'contentBlockStart':
        return this.blockStart(Number(json.contentBlockIndex), isObject(json.start) ? json.start : {});
      case 'contentBlockDelta':
        return this.blockDelta(Number(json.contentBlockIndex), isObject(json.delta) ? json.delta : {});
      case 'messageStop':
        this.stopped = true;
        const stopSequence = stopSequenceOf(json);
        return [{ type: 'finish', reason: finishOf(json.stopReason, this.tools.toolCalls), ...(stopSequence !== undefined ? { stopSequence } : {}) }];
      case 'metadata':
        return isObject(json.usage) ? [{ type: 'usage', usage: usageOf(json.usage) }] : [];
      default:
        // contentBlockStop, and event types added later, carry nothing canonical.
        return [];
    }
  }

  private blockStart(index: number, start: Record<string, unknown>): StreamEvent[] {
    const tool = isObject(start.toolUse) ? start.toolUse : undefined;
    return tool ? this.tools.start(index, String(tool.toolUseId), String(tool.name)) : [];
  }

  private blockDelta(index: number, delta: Record<string, unknown>): StreamEvent[] {
    if (typeof delta.text === 'string') return delta.text ? [{ type: 'text', text: delta.text }] : [];
    return isObject(delta.toolUse) && typeof delta.toolUse.input === 'string' ? this.tools.piece(index, delta.toolUse.input) : [];
  }
}
