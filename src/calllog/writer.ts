import type { Worker } from 'node:worker_threads';
import type { BatchEntry, FromWriter, ToWriter, WriterSetup } from './protocol.ts';
import { holdsNoSecret, redactionRules, type RedactionRules } from './redact.ts';
import { redactedRow } from './redact-row.ts';
import { callRow } from './row.ts';
import { openForWriting } from './schema.ts';
import { siblingModule, spawnWorker } from './spawn-worker.ts';
import type { CallLog, CallLogStats, CallRecord } from './types.ts';

export interface WriterOptions {
  setup: WriterSetup;
  batchSize: number;
  flushIntervalMs: number;
  queueLimit: number;
  /** Longest wait for the worker to finish on close before it is stopped (default 10 s). */
  closeTimeoutMs?: number;
}

/**
 * The gateway's side of the call log. record() only pushes onto an array; a timer (or a
 * full batch) hands the queue to the writer worker in one message. What the worker has not
 * acknowledged still counts as queued, so a slow disk fills the queue and new entries are
 * dropped and counted instead of piling up in memory.
 */
export class BatchingCallLog implements CallLog {
  private pending: BatchEntry[] = [];
  private inFlight = new Map<number, number>();
  private inFlightCount = 0;
  private nextBatchId = 1;
  private written = 0;
  private dropped = 0;
  private lastError: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private dead = false;
  private closing: Promise<void> | undefined;
  private readonly worker: Worker;
  private readonly closed: Promise<void>;
  private readonly rules: RedactionRules;

  constructor(private readonly opts: WriterOptions) {
    // Creating the file and schema here, synchronously, makes a bad path fail at startup
    // and lets a reader open the file as soon as this returns.
    openForWriting(opts.setup.file).close();
    this.rules = redactionRules(opts.setup.redactHeaders, opts.setup.redactQueryParams);
    this.worker = spawnWorker(siblingModule(import.meta.url, 'writer-worker'), { workerData: opts.setup });
    this.closed = new Promise<void>((resolve) => {
      this.worker.on('message', (msg: FromWriter) => {
        if (msg.type === 'written') this.onWritten(msg);
        else if (msg.type === 'retained' && msg.error) this.lastError = `retention failed: ${msg.error}`;
        else if (msg.type === 'closed') resolve();
      });
      this.worker.on('error', (err) => this.fail(`call log writer failed: ${err.message}`));
      this.worker.on('exit', () => {
        if (!this.closing && !this.dead) this.fail('call log writer stopped');
        resolve();
      });
    });
    // close() is what flushes; an unclosed log must not keep the process alive by itself.
    // (After the listeners: adding a 'message' listener refs the worker's port again.)
    this.worker.unref();
  }

  record(entry: CallRecord): void {
    if (this.dead || this.closing || this.queuedCount() >= this.opts.queueLimit) {
      this.dropped++;
      return;
    }
    this.pending.push(this.entryFor(entry));
    if (this.pending.length >= this.opts.batchSize) {
      // Not synchronously: the request that filled the batch should not pay for posting it.
      this.immediate ??= setImmediate(() => this.flush());
    } else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.opts.flushIntervalMs);
      this.timer.unref();
    }
  }

  stats(): CallLogStats {
    const s: CallLogStats = { written: this.written, dropped: this.dropped, queued: this.queuedCount() };
    if (this.lastError) s.lastError = this.lastError;
    return s;
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.flush();
    if (!this.dead) {
      this.worker.ref();
      this.post({ type: 'close' });
      const timeoutMs = this.opts.closeTimeoutMs ?? 10_000;
      let timeout: NodeJS.Timeout | undefined;
      const timedOut = new Promise<void>((resolve) => (timeout = setTimeout(resolve, timeoutMs)));
      await Promise.race([this.closed, timedOut]);
      clearTimeout(timeout);
    }
    await this.worker.terminate();
    // Whatever the worker did not acknowledge is lost; say so.
    if (this.inFlightCount > 0) this.fail('call log closed before every entry was written');
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
    while (this.pending.length > 0 && !this.dead) {
      const entries = this.pending.splice(0, this.opts.batchSize);
      const id = this.nextBatchId++;
      this.inFlight.set(id, entries.length);
      this.inFlightCount += entries.length;
      if (!this.post({ type: 'batch', id, entries })) {
        this.settle(id);
        this.dropped += entries.length;
      }
    }
  }

  /**
   * Most calls hold no secret (no credential header, no secret query parameter): their row is
   * built here, once, and the record is let go at once. Cloning a flat row to the worker costs
   * far less than cloning the record's objects, and nothing is kept alive for the GC to copy
   * while the batch fills. A call that may hold a secret is redacted here too (redactedRow).
   */
  private entryFor(entry: CallRecord): BatchEntry {
    try {
      return holdsNoSecret(entry, this.rules) ? callRow(entry) : redactedRow(entry, this.rules);
    } catch {
      // Not JSON-able (a cycle, a BigInt): the clone in post() decides, as for any record.
      return entry;
    }
  }

  private post(msg: ToWriter): boolean {
    try {
      this.worker.postMessage(msg);
      return true;
    } catch (err) {
      // A record that cannot be cloned (a function smuggled into a decision) costs its batch, not the process.
      this.lastError = `call log batch not sent: ${(err as Error).message}`;
      return false;
    }
  }

  private onWritten(msg: Extract<FromWriter, { type: 'written' }>): void {
    this.settle(msg.id);
    this.written += msg.inserted;
    const lost = msg.count - msg.inserted;
    if (lost > 0) {
      this.dropped += lost;
      this.lastError = msg.error ? `call log write failed: ${msg.error}` : `${lost} entries with a request id already stored were not written`;
    }
  }

  private settle(id: number): void {
    this.inFlightCount -= this.inFlight.get(id) ?? 0;
    this.inFlight.delete(id);
  }

  private fail(message: string): void {
    this.lastError = message;
    this.dead = true;
    this.dropped += this.pending.length + this.inFlightCount;
    this.pending = [];
    this.inFlight.clear();
    this.inFlightCount = 0;
  }

  private queuedCount(): number {
    return this.pending.length + this.inFlightCount;
  }
}
