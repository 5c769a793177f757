import { randomUUID } from 'node:crypto';
import type { StreamEvent } from '../../types.ts';
import { invalidAnswer, isObject, parseJson, streamCut } from '../common/http.ts';
import { SseReader } from '../common/sse.ts';
import type { StreamDecoder } from '../types.ts';
import { errorIn } from './errors.ts';
import { candidateOf, finishOf, partsOf, usageOf } from './response.ts';

/**
 * streamGenerateContent?alt=sse: every event is a whole GenerateContentResponse holding the
 * next piece of the candidate; usageMetadata is cumulative (the last one is final). The wire
 * has no end marker: a stream is complete once a finishReason (or a blocked prompt) came.
 */
export class GeminiStreamDecoder implements StreamDecoder {
  private readonly sse = new SseReader();
  private started = false;
  private tools = 0;
  private finished = false;
  private over = false;
  private usage: Record<string, unknown> | undefined;

  push(chunk: Uint8Array): StreamEvent[] {
    return this.sse.push(chunk).flatMap((e) => this.event(e.data));
  }

  end(): StreamEvent[] {
    const out = this.sse.end().flatMap((e) => this.event(e.data));
    if (this.over) return out;
    this.over = true;
    if (!this.finished) out.push({ type: 'error', error: streamCut('Gemini') });
    else if (this.usage) out.push({ type: 'usage', usage: usageOf(this.usage) });
    return out;
  }

  private event(data: string): StreamEvent[] {
    if (this.over) return [];
    const json = parseJson(data);
    const inside = errorIn(200, {}, json);
    if (inside || !isObject(json)) {
      this.over = true;
      return [{ type: 'error', error: inside ?? invalidAnswer('a Gemini stream event', data) }];
    }
    const out: StreamEvent[] = [];
    if (!this.started) {
      this.started = true;
      out.push({ type: 'start', id: typeof json.responseId === 'string' ? json.responseId : randomUUID(), model: String(json.modelVersion ?? '') });
    }
    if (isObject(json.usageMetadata)) this.usage = json.usageMetadata;
    const { candidate, blocked } = candidateOf(json);
    for (const p of partsOf(candidate)) {
      if (p.type === 'text' && p.text) out.push({ type: 'text', text: p.text });
      // Gemini streams a function call whole, never in pieces.
      else if (p.type === 'tool_call') out.push({ type: 'tool_call', index: this.tools++, id: p.id, name: p.name, argumentsDelta: p.arguments });
    }
    if (!this.finished && (blocked || candidate.finishReason !== undefined)) {
      this.finished = true;
      out.push({ type: 'finish', reason: blocked ? 'content_filter' : finishOf(candidate.finishReason, this.tools > 0) });
    }
    return out;
  }
}
