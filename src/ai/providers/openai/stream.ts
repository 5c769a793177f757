/**
 * Streamed Chat Completions (SSE: `data: <chunk>` events, then `data: [DONE]`) to canonical
 * events. The usage comes in a last chunk with no choices when the call asked for
 * stream_options.include_usage; Groq puts it in `x_groq.usage`, some compatible servers in
 * the chunk that finishes. An error may arrive as an event at any point.
 */
import type { StreamEvent, Usage } from '../../types.ts';
import { isObject, parseJson, streamCut } from '../common/http.ts';
import { SseReader } from '../common/sse.ts';
import type { StreamDecoder } from '../types.ts';
import { errorInBody, errorInside200 } from './errors.ts';
import { stopSequenceOf } from './response.ts';
import { wireFinish, wireUsage } from './usage.ts';

export interface StreamOptions {
  /** Name in the cut-stream message ('OpenAI', 'Azure OpenAI', ...). */
  provider: string;
  /**
   * OpenAI and Azure always end with `data: [DONE]`, so a stream without it was cut (even
   * after the finish chunk: the usage chunk comes after it). Some compatible servers never
   * send [DONE]; for them a stream that reached its finish chunk ended normally.
   */
  requireDone: boolean;
}

export class OpenAIStreamDecoder implements StreamDecoder {
  private readonly sse = new SseReader();
  private started = false;
  private finished = false;
  private done = false;
  private failed = false;
  /** The latest usage seen, sent once at the end (vLLM's continuous stats repeat it on every chunk). */
  private usage?: Usage;

  constructor(private readonly o: StreamOptions) {}

  push(chunk: Uint8Array): StreamEvent[] {
    return this.sse.push(chunk).flatMap((e) => this.event(e.event, e.data));
  }

  end(): StreamEvent[] {
    const out = this.sse.end().flatMap((e) => this.event(e.event, e.data));
    out.push(...this.takeUsage());
    const complete = this.done || this.failed || (this.finished && !this.o.requireDone);
    if (!complete) out.push({ type: 'error', error: streamCut(this.o.provider) });
    return out;
  }

  private event(name: string | undefined, data: string): StreamEvent[] {
    if (this.done || this.failed) return [];
    if (data.trim() === '[DONE]') {
      this.done = true;
      return this.takeUsage();
    }
    const json = parseJson(data);
    const inside = errorInBody(json) ?? (name === 'error' ? { message: data } : undefined);
    if (inside) {
      this.failed = true;
      return [...this.takeUsage(), { type: 'error', error: errorInside200(inside) }];
    }
    if (!isObject(json)) return [];
    return this.chunk(json);
  }

  private chunk(json: Record<string, unknown>): StreamEvent[] {
    const out: StreamEvent[] = [];
    // Azure's first chunk (prompt filter results) has an empty id and model: start waits for a real one.
    if (!this.started && (json.id || json.model)) {
      this.started = true;
      out.push({ type: 'start', id: String(json.id ?? ''), model: String(json.model ?? '') });
    }
    const choice = Array.isArray(json.choices) && isObject(json.choices[0]) ? json.choices[0] : undefined;
    const delta = choice && isObject(choice.delta) ? choice.delta : undefined;
    if (delta) {
      if (typeof delta.content === 'string' && delta.content) out.push({ type: 'text', text: delta.content });
      else if (typeof delta.refusal === 'string' && delta.refusal) out.push({ type: 'text', text: delta.refusal });
      for (const call of Array.isArray(delta.tool_calls) ? delta.tool_calls : []) if (isObject(call)) out.push(toolCallDelta(call));
    }
    const reason = wireFinish(choice?.finish_reason);
    if (reason && !this.finished) {
      this.finished = true;
      const stopSequence = stopSequenceOf(choice!, reason);
      out.push({ type: 'finish', reason, ...(stopSequence !== undefined ? { stopSequence } : {}) });
    }
    this.usage = wireUsage(json.usage) ?? (isObject(json.x_groq) ? wireUsage(json.x_groq.usage) : undefined) ?? this.usage;
    if (out.length && !this.started) {
      this.started = true;
      out.unshift({ type: 'start', id: '', model: '' });
    }
    return out;
  }

  private takeUsage(): StreamEvent[] {
    const usage = this.usage;
    this.usage = undefined;
    return usage ? [{ type: 'usage', usage }] : [];
  }
}

function toolCallDelta(call: Record<string, unknown>): StreamEvent {
  const fn = isObject(call.function) ? call.function : {};
  const ev: StreamEvent = { type: 'tool_call', index: typeof call.index === 'number' ? call.index : 0, argumentsDelta: typeof fn.arguments === 'string' ? fn.arguments : '' };
  if (typeof call.id === 'string' && call.id) ev.id = call.id;
  if (typeof fn.name === 'string' && fn.name) ev.name = fn.name;
  return ev;
}
