/**
 * What every fake provider server (test/ai/fakes/<provider>.ts) has in common: a real HTTP
 * server on 127.0.0.1:0, the calls it received, the script queue, scripted delays, and a
 * stream player that honours the script's chunk delay, mid-stream error and cut.
 *
 * A fake is `startFakeServer({ prefix, handle })`: `handle` answers one call in its
 * provider's wire format and must end (or destroy) the response. Every call the server
 * receives is recorded and takes the next script (whatever its path), so a test that
 * enqueues N scripts and makes N calls knows which answered which.
 *
 *   const fake = await startFakeServer({
 *     prefix: '/v1',
 *     async handle({ call, script, res }) {
 *       if (script.status) return sendJson(res, script.status, { error: ... }, retryAfterHeader(script));
 *       await scriptedDelay(script.firstByteDelayMs);
 *       res.writeHead(200, { 'content-type': 'text/event-stream' });
 *       await playStream(res, script, textPieces(text), {
 *         chunk: (piece) => `data: ${JSON.stringify(...)}\n\n`,
 *         error: (message, sent) => `data: ${JSON.stringify({ error: { message } })}\n\n`,
 *         end: () => 'data: [DONE]\n\n',
 *       });
 *     },
 *   });
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakeProvider, FakeScript, RecordedCall } from './types.ts';

/** One call as the fake's handler sees it. */
export interface FakeExchange {
  call: RecordedCall;
  /** The next enqueued script, or the fake's defaultScript. */
  script: FakeScript;
  req: IncomingMessage;
  res: ServerResponse;
}

export interface FakeServerSpec {
  /** Path the base URL carries ('/v1' for OpenAI), '' or absent for none. */
  prefix?: string;
  /** The script used once the queue is empty (the fake's defaults: {}). */
  defaultScript?: FakeScript;
  /** Answers one call; must end or destroy `res`. A throw answers 500 with the message as text. */
  handle(exchange: FakeExchange): Promise<void> | void;
}

export interface FakeServer extends FakeProvider {
  /** Origin without the prefix (http://127.0.0.1:<port>). */
  readonly origin: string;
  readonly server: Server;
  /** Resolves once `n` calls were received (or rejects after timeoutMs). */
  waitForCalls(n: number, timeoutMs?: number): Promise<RecordedCall[]>;
}

export async function startFakeServer(spec: FakeServerSpec): Promise<FakeServer> {
  const queue: FakeScript[] = [];
  const calls: RecordedCall[] = [];
  const waiters = new Set<() => void>();

  const server = createServer(async (req, res) => {
    res.on('error', () => {}); // a client that hangs up mid-answer is not the fake's failure
    const rawBody = await readBody(req);
    const call: RecordedCall = {
      method: req.method ?? 'GET',
      path: (req.url ?? '/').split('?')[0],
      url: req.url ?? '/',
      headers: { ...req.headers },
      body: parseJson(rawBody),
      rawBody,
    };
    calls.push(call);
    for (const wake of waiters) wake();
    const script = queue.shift() ?? fake.defaultScript;
    try {
      await spec.handle({ call, script, req, res });
    } catch (err) {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`fake provider failed: ${(err as Error).message}`);
      } else res.destroy();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const fake: FakeServer = {
    url: origin + (spec.prefix ?? ''),
    origin,
    server,
    calls,
    defaultScript: spec.defaultScript ?? {},
    enqueue(...scripts) {
      queue.push(...scripts);
    },
    waitForCalls(n, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (calls.length < n) return;
          done();
          resolve(calls.slice(0, n));
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`fake provider: ${calls.length} of ${n} calls after ${timeoutMs} ms`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return fake;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** A scripted pause (firstByteDelayMs, chunkDelayMs): part of the provider's behaviour, not a test wait. */
export function scriptedDelay(ms: number | undefined): Promise<void> {
  return ms ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Retry-After from the script (only when it sets retryAfterS). */
export function retryAfterHeader(script: FakeScript): Record<string, string> {
  return script.retryAfterS === undefined ? {} : { 'retry-after': String(script.retryAfterS) };
}

/** The assistant text in pieces of `size` characters (whole code points, so a piece never splits a character). */
export function textPieces(text: string, size = 4): string[] {
  const chars = Array.from(text);
  const pieces: string[] = [];
  for (let i = 0; i < chars.length; i += size) pieces.push(chars.slice(i, i + size).join(''));
  return pieces;
}

/**
 * The usage the fake reports: the script's, else a made-up count that is fixed for a given
 * call (input from the request body's size, output from the answer's length).
 */
export function scriptedUsage(script: FakeScript, call: RecordedCall, answer: string): { input: number; output: number; cached?: number; reasoning?: number } {
  return script.usage ?? { input: Math.max(1, Math.ceil(call.rawBody.length / 4)), output: Math.max(1, Math.ceil(answer.length / 4)) };
}

/** An embedding fixed by the text (so tests can compare), its values exact in float32. */
export function madeUpVector(text: string, dimensions: number): number[] {
  let h = 0;
  for (const ch of text) h = (h * 31 + ch.codePointAt(0)!) % 997;
  return Array.from({ length: dimensions }, (_, i) => ((h + i * 7) % 64) / 64);
}

/** How the stream player frames each part of a streamed answer in the provider's wire format. */
export interface StreamFrames<T> {
  /** Bytes of one content chunk (index counts from 0). */
  chunk(piece: T, index: number): string | Uint8Array;
  /** The provider's error event after `sent` content chunks (script.midStreamError). */
  error(message: string, sent: number): string | Uint8Array;
  /** Whatever follows the content on a normal end (finish, usage, end marker). */
  end(): string | Uint8Array;
}

/**
 * Writes a streamed answer (headers must already be sent): each piece with the script's
 * chunk delay, then the end frames. With midStreamError, the error frame replaces the rest
 * after `afterChunks` pieces; with cutAfterChunks, the socket is destroyed after that many
 * pieces were flushed (no end marker, no final HTTP chunk).
 */
export async function playStream<T>(res: ServerResponse, script: FakeScript, pieces: T[], frames: StreamFrames<T>): Promise<void> {
  // A count past the content fires after the last piece.
  const cutAt = script.cutAfterChunks === undefined ? undefined : Math.min(script.cutAfterChunks, pieces.length);
  const errorAt = script.midStreamError ? Math.min(script.midStreamError.afterChunks, pieces.length) : undefined;
  for (let i = 0; i <= pieces.length; i++) {
    if (i === cutAt) {
      res.socket?.destroy();
      return;
    }
    if (script.midStreamError && i === errorAt) {
      await write(res, frames.error(script.midStreamError.message, i));
      res.end();
      return;
    }
    if (i === pieces.length) break;
    if (i > 0) await scriptedDelay(script.chunkDelayMs);
    await write(res, frames.chunk(pieces[i], i));
  }
  await write(res, frames.end());
  res.end();
}

/** Resolves once the bytes were handed to the socket (so a cut right after still delivers them). */
function write(res: ServerResponse, bytes: string | Uint8Array): Promise<void> {
  return new Promise((resolve) => {
    if (res.destroyed) return resolve();
    res.write(bytes, () => resolve());
  });
}
