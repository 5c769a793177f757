// Time to first token, measured by the client: from sending a streamed chat call to the first
// SSE event that carries content, parsed with eventsource-parser as an SDK would. Each stream
// is read to its end and checked (the whole text, then [DONE]): a broken stream is an error,
// never a timing.
import { performance } from 'node:perf_hooks';
import { createParser } from 'eventsource-parser';
import { Pool } from 'undici';
import { CHAT_PATH, chatBody } from './workload.ts';

export interface StreamTiming {
  /** Request sent → first content chunk parsed, in ms. */
  ttftMs: number;
  /** Request sent → end of the stream, in ms. */
  totalMs: number;
}

/** One keep-alive client per target, with as many connections as concurrent streams. */
export interface StreamTarget {
  name: string;
  pool: Pool;
  headers: Record<string, string>;
}

export function streamTarget(name: string, url: string, connections: number, headers: Record<string, string> = {}): StreamTarget {
  return { name, pool: new Pool(url, { connections, pipelining: 1 }), headers };
}

const BODY = chatBody(true);

/** One streamed call; throws unless the stream carried exactly `expected` and ended with [DONE]. */
export async function timeStream(t: StreamTarget, expected: string): Promise<StreamTiming> {
  const t0 = performance.now();
  const res = await t.pool.request({ path: CHAT_PATH, method: 'POST', headers: { 'content-type': 'application/json', ...t.headers }, body: BODY });
  if (res.statusCode !== 200) throw new Error(`${t.name}: answered ${res.statusCode}: ${(await res.body.text()).slice(0, 500)}`);
  let first: number | undefined;
  let text = '';
  let done = false;
  let problem: string | undefined;
  const parser = createParser({
    onEvent(event) {
      if (event.data === '[DONE]') {
        done = true;
        return;
      }
      const chunk = JSON.parse(event.data) as { choices?: Array<{ delta?: { content?: string | null } }>; error?: unknown };
      if (chunk.error) problem = `error event ${event.data.slice(0, 300)}`;
      const content = chunk.choices?.[0]?.delta?.content;
      if (typeof content === 'string' && content.length > 0) {
        first ??= performance.now();
        text += content;
      }
    },
  });
  const decoder = new TextDecoder();
  for await (const bytes of res.body) parser.feed(decoder.decode(bytes as Uint8Array, { stream: true }));
  parser.feed(decoder.decode());
  const end = performance.now();
  if (problem) throw new Error(`${t.name}: ${problem}`);
  if (first === undefined || text !== expected || !done) {
    throw new Error(`${t.name}: the stream ${first === undefined ? 'carried no content' : text !== expected ? `carried ${JSON.stringify(text.slice(0, 80))}…, not the fake's answer` : 'ended without [DONE]'}`);
  }
  return { ttftMs: first - t0, totalMs: end - t0 };
}

export interface PhaseSettings {
  /** Measured calls per target. */
  calls: number;
  /** Streams in flight at once on one target. */
  concurrency: number;
}

/**
 * Runs `calls` streams on each target, interleaved so both see the same machine: in blocks of
 * a few calls per target in turn (one call each when sequential), the first target alternating
 * from block to block. Within a block, `concurrency` streams are in flight on that target only.
 */
export async function runPhase(targets: StreamTarget[], s: PhaseSettings, expected: string): Promise<Map<StreamTarget, StreamTiming[]>> {
  const out = new Map<StreamTarget, StreamTiming[]>(targets.map((t) => [t, []]));
  const block = s.concurrency === 1 ? 1 : s.concurrency * 4;
  for (let done = 0, b = 0; done < s.calls; done += block, b++) {
    const n = Math.min(block, s.calls - done);
    const order = b % 2 === 0 ? targets : [...targets].reverse();
    for (const t of order) out.get(t)!.push(...(await runBlock(t, n, s.concurrency, expected)));
  }
  return out;
}

async function runBlock(t: StreamTarget, n: number, concurrency: number, expected: string): Promise<StreamTiming[]> {
  const timings: StreamTiming[] = [];
  let next = 0;
  const worker = async () => {
    while (next < n) {
      next++;
      timings.push(await timeStream(t, expected));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  return timings;
}
