import type { Dispatcher } from 'undici';
import type { ProviderHeaders } from './providers/types.ts';
import type { CallCancel } from './send-cancel.ts';

/** A streamed answer's body: the provider's bytes as they arrive; destroy() aborts the call. */
export interface ProviderStream extends AsyncIterable<Uint8Array> {
  destroy(): void;
}

export interface ProviderAnswer {
  statusCode: number;
  headers: ProviderHeaders;
  body: Buffer | ProviderStream;
}

/** Bytes a streamed body may hold unread before undici stops reading the provider's socket. */
const HIGH_WATER = 64 * 1024;

/**
 * undici's raw dispatch handler for one provider call. A whole answer, and any answer of status
 * 400 or more, is collected into one Buffer; a streamed one resolves at its head with a
 * BodyQueue that the relay iterates. The
 * call is registered with the CallCancel while it is in flight, so a client that leaves
 * aborts it.
 */
export class ProviderDispatch implements Dispatcher.DispatchHandler {
  readonly promise: Promise<ProviderAnswer>;
  /** The answer's head arrived (a later failure is one of its body). */
  headersSeen = false;
  private resolve!: (a: ProviderAnswer) => void;
  private reject!: (err: unknown) => void;
  private abort: ((err?: Error) => void) | null = null;
  private statusCode = 0;
  private headers: ProviderHeaders = {};
  private chunks: Buffer[] = [];
  private size = 0;
  private limit = Infinity;
  private stream: BodyQueue | null = null;

  constructor(
    private readonly cancel: CallCancel,
    private readonly opts: { whole: boolean; errorLimit: number },
  ) {
    this.promise = new Promise<ProviderAnswer>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  onConnect(abort: (err?: Error) => void): void {
    this.abort = abort;
    this.cancel.attach(abort);
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    // 1xx informational answers are not the answer.
    if (statusCode < 200) return true;
    this.headersSeen = true;
    this.statusCode = statusCode;
    this.headers = headersOf(rawHeaders);
    if (statusCode >= 400) this.limit = this.opts.errorLimit;
    else if (!this.opts.whole) {
      this.stream = new BodyQueue(resume, () => this.abort?.(Object.assign(new Error('the body was not read to its end'), { code: 'UND_ERR_ABORTED' })));
      this.resolve({ statusCode, headers: this.headers, body: this.stream });
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.stream) return this.stream.push(chunk);
    if (this.size < this.limit) this.chunks.push(chunk);
    this.size += chunk.length;
    return true;
  }

  onComplete(): void {
    this.release();
    if (this.stream) return this.stream.end();
    // A whole answer, or the (short) error body of a streamed call that failed.
    const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    this.chunks = [];
    this.resolve({ statusCode: this.statusCode, headers: this.headers, body: all.length > this.limit ? all.subarray(0, this.limit) : all });
  }

  onError(err: Error): void {
    this.release();
    if (this.stream) return this.stream.fail(err);
    this.reject(err);
  }

  private release(): void {
    if (this.abort) this.cancel.detach(this.abort);
  }
}

/**
 * The body of a streamed answer as an async iterable, with back-pressure: past HIGH_WATER
 * unread bytes, onData returns false (undici pauses the socket) until the reader catches up.
 * Leaving the iteration early (break, return) aborts the call, as leaving a stream does.
 */
export class BodyQueue implements ProviderStream {
  private queue: Buffer[] = [];
  private head = 0;
  private queued = 0;
  private paused = false;
  private ended = false;
  private error: unknown = undefined;
  private waiting: { resolve: (r: IteratorResult<Uint8Array>) => void; reject: (err: unknown) => void } | null = null;

  constructor(
    private readonly resume: () => void,
    private readonly abort: () => void,
  ) {}

  push(chunk: Buffer): boolean {
    if (this.ended) return true;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = null;
      w.resolve({ value: chunk, done: false });
      return true;
    }
    this.queue.push(chunk);
    this.queued += chunk.length;
    if (this.queued < HIGH_WATER) return true;
    this.paused = true;
    return false;
  }

  end(): void {
    this.ended = true;
    this.settleWaiting();
  }

  fail(err: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.error = err ?? new Error('the provider call failed');
    this.settleWaiting();
  }

  next(): Promise<IteratorResult<Uint8Array>> {
    if (this.head < this.queue.length) {
      const chunk = this.queue[this.head++];
      if (this.head === this.queue.length) {
        this.queue = [];
        this.head = 0;
      }
      this.queued -= chunk.length;
      if (this.paused && this.queued < HIGH_WATER / 2) {
        this.paused = false;
        this.resume();
      }
      return Promise.resolve({ value: chunk, done: false });
    }
    if (this.error !== undefined) {
      const err = this.error;
      this.error = undefined;
      return Promise.reject(err);
    }
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  return(): Promise<IteratorResult<Uint8Array>> {
    this.destroy();
    return Promise.resolve({ value: undefined, done: true });
  }

  destroy(): void {
    if (this.ended) return;
    this.ended = true;
    this.queue = [];
    this.head = 0;
    this.abort();
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return this;
  }

  private settleWaiting(): void {
    const w = this.waiting;
    if (!w) return;
    this.waiting = null;
    if (this.error !== undefined) {
      const err = this.error;
      this.error = undefined;
      w.reject(err);
    } else w.resolve({ value: undefined, done: true });
  }
}

/** Response headers as the adapters read them: lowercased names, repeated ones as an array. */
function headersOf(raw: Buffer[]): ProviderHeaders {
  const out: ProviderHeaders = Object.create(null) as ProviderHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i].toString('latin1').toLowerCase();
    const value = raw[i + 1].toString('utf8');
    const prev = out[name];
    if (prev === undefined) out[name] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else out[name] = [prev, value];
  }
  return out;
}
