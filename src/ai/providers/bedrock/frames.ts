import { EventStreamCodec, type Message } from '@smithy/eventstream-codec';

const utf8Decoder = new TextDecoder();
const utf8Encoder = new TextEncoder();
/** The codec checks both CRCs and parses the typed headers of one whole frame. */
export const codec = new EventStreamCodec(
  (bytes: Uint8Array | string) => (typeof bytes === 'string' ? bytes : utf8Decoder.decode(bytes)),
  (text: string) => utf8Encoder.encode(text),
);

/** A frame's prelude (total and headers length, prelude CRC) plus the message CRC. */
const MIN_FRAME = 16;

/**
 * Reassembles AWS event stream frames (application/vnd.amazon.eventstream) from chunks cut
 * anywhere. The cutting is hand-written because the library's own (getChunkedStream in
 * @smithy/core) is an async iterator over a whole stream, and the adapter's decoder is fed
 * chunk by chunk, synchronously; it is only "read the 4-byte big-endian total length, wait
 * for that many bytes". Checking and parsing each frame is the codec's.
 */
export class FrameReader {
  private buffered: Uint8Array = new Uint8Array(0);

  append(chunk: Uint8Array): void {
    this.buffered = this.buffered.length ? concat(this.buffered, chunk) : chunk.slice();
  }

  /** The next whole frame, or undefined until more bytes come; throws on a corrupt frame (bad length or CRC). */
  next(): Message | undefined {
    if (this.buffered.length < 4) return undefined;
    const total = new DataView(this.buffered.buffer, this.buffered.byteOffset, 4).getUint32(0, false);
    if (total < MIN_FRAME) throw new Error(`an event stream frame of ${total} bytes is shorter than its ${MIN_FRAME}-byte envelope`);
    if (this.buffered.length < total) return undefined;
    const frame = codec.decode(this.buffered.subarray(0, total));
    this.buffered = this.buffered.subarray(total);
    return frame;
  }

  /** Bytes of a frame that never completed. */
  get pending(): number {
    return this.buffered.length;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** A string header's value (':event-type', ':message-type', ...). */
export function stringHeader(m: Message, name: string): string | undefined {
  const h = m.headers[name];
  return h && h.type === 'string' ? h.value : undefined;
}

/** One ConverseStream event frame, as Bedrock sends it (for the fake server and the tests). */
export function eventFrame(eventType: string, payload: unknown): Uint8Array {
  return codec.encode({
    headers: {
      ':event-type': { type: 'string', value: eventType },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'event' },
    },
    body: utf8Encoder.encode(JSON.stringify(payload)),
  });
}

/** An exception frame (throttlingException, modelStreamErrorException, ...). */
export function exceptionFrame(exceptionType: string, message: string): Uint8Array {
  return codec.encode({
    headers: {
      ':exception-type': { type: 'string', value: exceptionType },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'exception' },
    },
    body: utf8Encoder.encode(JSON.stringify({ message })),
  });
}
