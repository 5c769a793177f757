/**
 * Ollama streams NDJSON: one JSON object per line, each with a piece of `message`, the last
 * with `done: true`, `done_reason` and the counts; an `{"error":"..."}` line on a failure.
 * Splitting on '\n' is the framing of NDJSON itself (JSON text never holds a raw newline), so
 * no parser library is needed here, unlike SSE. Bytes are decoded with a streaming
 * TextDecoder so a character cut between chunks is kept whole.
 */
import type { StreamEvent } from '../../types.ts';
import { isObject, parseJson, streamCut } from '../common/http.ts';
import type { StreamDecoder } from '../types.ts';
import { errorIn, completionId, ollamaFinish, ollamaUsage, toolCallsOf } from './response.ts';

export class OllamaStreamDecoder implements StreamDecoder {
  private readonly utf8 = new TextDecoder('utf-8');
  private buffered = '';
  private started = false;
  private toolCalls = 0;
  private over = false;

  push(chunk: Uint8Array): StreamEvent[] {
    this.buffered += this.utf8.decode(chunk, { stream: true });
    const lines = this.buffered.split('\n');
    this.buffered = lines.pop()!;
    return lines.flatMap((line) => this.line(line));
  }

  end(): StreamEvent[] {
    // A last line without its newline is still a whole object if it parses; a cut one does not.
    const rest = this.buffered + this.utf8.decode();
    this.buffered = '';
    const out = this.line(rest);
    if (!this.over) out.push({ type: 'error', error: streamCut('Ollama') });
    return out;
  }

  private line(text: string): StreamEvent[] {
    if (this.over || text.trim() === '') return [];
    const json = parseJson(text);
    const error = errorIn(json);
    if (error) {
      this.over = true;
      return [{ type: 'error', error }];
    }
    if (!isObject(json)) return [];
    const out: StreamEvent[] = [];
    if (!this.started) {
      this.started = true;
      out.push({ type: 'start', id: completionId(json), model: String(json.model ?? '') });
    }
    const message = isObject(json.message) ? json.message : {};
    if (typeof message.content === 'string' && message.content) out.push({ type: 'text', text: message.content });
    // Ollama sends each tool call whole, in one line: one event carries id, name and all arguments.
    for (const call of toolCallsOf(message, this.toolCalls)) {
      out.push({ type: 'tool_call', index: this.toolCalls++, id: call.id, name: call.name, argumentsDelta: call.arguments });
    }
    if (json.done === true) {
      this.over = true;
      out.push({ type: 'finish', reason: ollamaFinish(json, this.toolCalls > 0) });
      const usage = ollamaUsage(json);
      if (usage) out.push({ type: 'usage', usage });
    }
    return out;
  }
}
