import type { ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { StreamEncoder } from './dialects/types.ts';
import type { StreamDecoder } from './providers/types.ts';
import type { FinishReason, ProviderError, StreamEvent, Usage } from './types.ts';

/** What relaying a provider's stream to the client gave. */
export interface Relayed {
  /** Whether anything was sent to the client: from then on nothing may be retried. */
  committed: boolean;
  /** The provider's error (an error event, or a failure of the body), when the stream did not finish. */
  error?: ProviderError;
  /** The body failed (timeout, reset) rather than the provider sending an error event. */
  transport?: unknown;
  clientAborted?: boolean;
  usage?: Usage;
  /** The text sent, for counting output tokens when the provider sent no usage. */
  text: string;
  finishReason?: FinishReason;
  /** performance.now() of the first content event sent. */
  firstContentAt?: number;
}

export interface RelayOptions {
  res: ServerResponse;
  body: AsyncIterable<Uint8Array>;
  decoder: StreamDecoder;
  encoder: StreamEncoder;
  /** Response headers to send when the stream commits. */
  headers: Record<string, string>;
  now(): number;
}

const CONTENT: ReadonlySet<StreamEvent['type']> = new Set(['text', 'tool_call', 'finish']);

/**
 * Relays a provider's stream to the client, event by event, in the client's dialect. Nothing
 * is sent until the first content event: an error before it leaves the call uncommitted, so
 * the chain may still fall back. After it, a failure is sent as the dialect's own error event
 * by the caller (which knows the codes), never retried. Respects the client's back-pressure.
 */
export async function relayStream(o: RelayOptions): Promise<Relayed> {
  const out: Relayed = { committed: false, text: '' };
  const pending: StreamEvent[] = [];
  // The SSE text of one provider chunk's events goes out in one write (one syscall, not one per event).
  const handle = async (events: StreamEvent[]): Promise<boolean> => {
    let text = '';
    let ok = true;
    for (const e of events) {
      if (e.type === 'error') {
        out.error = e.error;
        ok = false;
        break;
      }
      if (e.type === 'text') out.text += e.text;
      else if (e.type === 'tool_call') out.text += e.argumentsDelta;
      else if (e.type === 'usage') out.usage = e.usage;
      else if (e.type === 'finish') out.finishReason = e.reason;
      if (!out.committed) {
        pending.push(e);
        if (!CONTENT.has(e.type)) continue;
        commit(o, out);
        for (const p of pending.splice(0)) text += o.encoder.event(p);
        continue;
      }
      text += o.encoder.event(e);
    }
    await write(o.res, text);
    return ok;
  };
  try {
    for await (const chunk of o.body) {
      if (o.res.destroyed) {
        out.clientAborted = true;
        return out;
      }
      if (!(await handle(o.decoder.push(chunk)))) return out;
    }
    if (!(await handle(o.decoder.end()))) return out;
  } catch (err) {
    if (o.res.destroyed) out.clientAborted = true;
    else out.transport = err;
    return out;
  }
  if (!out.committed) {
    // A stream with no content at all (an empty answer): still a complete answer.
    commit(o, out);
    await write(o.res, pending.splice(0).map((p) => o.encoder.event(p)).join(''));
  }
  return out;
}

function commit(o: RelayOptions, out: Relayed): void {
  out.committed = true;
  out.firstContentAt = o.now();
  // The headers go out with the first events' write (no separate packet for them).
  o.res.writeHead(200, { ...o.headers, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
}

/** Writes SSE text, waiting for the client to drain when its buffer is full. */
export async function write(res: ServerResponse, text: string): Promise<void> {
  if (text === '' || res.destroyed) return;
  if (!res.write(text)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
}
