import { createParser, type EventSourceMessage } from 'eventsource-parser';

/**
 * Push-based SSE reading for the StreamDecoder interface: bytes in (cut anywhere, even inside
 * a UTF-8 character), whole events out. eventsource-parser does the SSE framing; the
 * streaming TextDecoder keeps a character split across chunks for the next one.
 */
export class SseReader {
  private readonly utf8 = new TextDecoder('utf-8');
  private pending: EventSourceMessage[] = [];
  private readonly parser = createParser({ onEvent: (e) => this.pending.push(e) });

  push(chunk: Uint8Array): EventSourceMessage[] {
    this.parser.feed(this.utf8.decode(chunk, { stream: true }));
    return this.take();
  }

  /** The stream ended: a last event without its blank line is incomplete and dropped (as the SSE spec says). */
  end(): EventSourceMessage[] {
    const rest = this.utf8.decode();
    if (rest) this.parser.feed(rest);
    return this.take();
  }

  private take(): EventSourceMessage[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }
}
