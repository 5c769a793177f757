/**
 * Canonical stream events → the Responses API's SSE sequence: response.created,
 * response.in_progress, then per output item output_item.added, (content_part.added,
 * output_text.delta..., output_text.done, content_part.done | function_call_arguments.delta...,
 * function_call_arguments.done), output_item.done, and response.completed (or
 * response.incomplete) with the usage. Every event has its sequence_number, as the openai SDK's
 * ResponseStream expects. No `[DONE]`: the Responses API ends with the terminal event.
 */
import type { FinishReason, StreamEvent, Usage } from '../../types.ts';
import { openAiErrorObject } from '../shared/openai-error.ts';
import { sse } from '../shared/sse.ts';
import type { AiError, RenderContext, StreamEncoder } from '../types.ts';
import { finishStatus, outputText, renderItem, responseError, responseIds, responseObject, type OutputItem, type ResponseState } from './response.ts';

export class ResponsesEventEncoder implements StreamEncoder {
  private seq = 0;
  private started = false;
  private readonly output: OutputItem[] = [];
  /** Index in output of the item still open (-1: none). */
  private open = -1;
  /** Canonical tool call index → output index. */
  private readonly calls = new Map<number, number>();
  private finish?: FinishReason;
  private usage?: Usage;
  private readonly ids;

  constructor(private readonly ctx: RenderContext) {
    this.ids = responseIds(ctx);
  }

  event(e: StreamEvent): string {
    switch (e.type) {
      case 'start':
        return this.begin();
      case 'text':
        return this.begin() + this.text(e.text);
      case 'tool_call':
        return this.begin() + this.toolCall(e);
      case 'finish':
        this.finish = e.reason;
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
    const { status, incomplete } = finishStatus(this.finish);
    const terminal = status === 'incomplete' ? 'response.incomplete' : status === 'failed' ? 'response.failed' : 'response.completed';
    return this.begin() + this.close() + this.send(terminal, { response: this.response({ status, ...(incomplete ? { incomplete } : {}) }) });
  }

  /**
   * A failure mid-stream: response.failed (with the usage so far and the API's error code),
   * then the `error` event with the Pinpoint code. Its nested `error` member is what makes the
   * openai SDK throw an APIError while iterating; the top-level code/message/param are the
   * documented shape of the event.
   */
  error(e: AiError, usage?: Usage): string {
    const u = usage ?? this.usage;
    const error = openAiErrorObject(e);
    let out = this.begin();
    out += this.send('response.failed', { response: this.response({ status: 'failed', error: responseError(e.status, e.message), ...(u ? { usage: u } : {}) }) });
    return out + this.send('error', { code: error.code, message: error.message, param: error.param, error });
  }

  private begin(): string {
    if (this.started) return '';
    this.started = true;
    const response = this.response({ status: 'in_progress' });
    return this.send('response.created', { response }) + this.send('response.in_progress', { response });
  }

  private text(delta: string): string {
    let out = '';
    let item = this.output[this.open];
    if (item?.kind !== 'message') {
      out += this.close();
      item = { kind: 'message', id: this.ids.item('msg', this.output.length), text: '' };
      out += this.add(item);
      out += this.send('response.content_part.added', { item_id: item.id, output_index: this.open, content_index: 0, part: outputText('') });
    }
    item.text += delta;
    return out + this.send('response.output_text.delta', { item_id: item.id, output_index: this.open, content_index: 0, delta, logprobs: [] });
  }

  private toolCall(e: Extract<StreamEvent, { type: 'tool_call' }>): string {
    let out = '';
    let index = this.calls.get(e.index);
    if (index === undefined) {
      out += this.close();
      const item: OutputItem = { kind: 'function_call', id: this.ids.item('fc', this.output.length), callId: e.id ?? `call_${this.output.length}`, name: e.name ?? '', args: '' };
      out += this.add(item);
      index = this.open;
      this.calls.set(e.index, index);
    }
    // A delta for a call already closed (a provider interleaving calls) still goes out under its
    // own output_index; response.completed carries every call whole either way.
    const item = this.output[index] as Extract<OutputItem, { kind: 'function_call' }>;
    if (!e.argumentsDelta) return out;
    item.args += e.argumentsDelta;
    return out + this.send('response.function_call_arguments.delta', { item_id: item.id, output_index: index, delta: e.argumentsDelta });
  }

  private add(item: OutputItem): string {
    this.output.push(item);
    this.open = this.output.length - 1;
    return this.send('response.output_item.added', { output_index: this.open, item: renderItem(item, 'in_progress') });
  }

  /** The done events of the open item. */
  private close(): string {
    const item = this.output[this.open];
    if (!item) return '';
    const at = { item_id: item.id, output_index: this.open };
    let out: string;
    if (item.kind === 'message') {
      out =
        this.send('response.output_text.done', { ...at, content_index: 0, text: item.text, logprobs: [] }) +
        this.send('response.content_part.done', { ...at, content_index: 0, part: outputText(item.text) });
    } else {
      out = this.send('response.function_call_arguments.done', { ...at, name: item.name, arguments: item.args });
    }
    out += this.send('response.output_item.done', { output_index: this.open, item: renderItem(item, 'completed') });
    this.open = -1;
    return out;
  }

  private response(s: Omit<ResponseState, 'output' | 'usage'> & { usage?: Usage }): Record<string, unknown> {
    return responseObject(this.ctx, { output: this.output, ...(this.usage ? { usage: this.usage } : {}), ...s });
  }

  private send(type: string, body: Record<string, unknown>): string {
    return sse({ type, sequence_number: this.seq++, ...body }, type);
  }
}
