// Non-streamed chat throughput: the same POST /v1/chat/completions, keep-alive, from this
// process with autocannon; latency percentiles from every response time (autocannon's own
// histogram keeps whole milliseconds, too coarse here).
//
//
// A run ends gracefully: past its duration, each connection sends nothing more and closes once
// its call in flight was answered. autocannon's own end cuts the calls in flight, and a client
// that goes away mid-call is not what is measured here (see bench/README.md). The rate is
// timed here, from the start to the last answer.
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { request } from 'undici';
import { summarise, type Summary } from './stats.ts';
import { CHAT_PATH, chatBody } from './workload.ts';

export interface ChatLoad {
  requestsPerSec: number;
  requests: number;
  latency: Summary;
  errors: number;
  non2xx: number;
  seconds: number;
  /** The run did not end gracefully: autocannon stopped it with calls in flight. */
  cut: boolean;
}

const BODY = chatBody(false);
const headersOf = (extra: Record<string, string>) => ({ 'content-type': 'application/json', ...extra });

/** How long after its duration a run may take to finish its calls in flight before autocannon cuts them. */
const GRACE_S = 30;

/** The part of autocannon's Client (lib/httpClient.js, 8.x) used to stop a connection after its current call. */
interface AutocannonClient {
  /** Calls this connection makes before it closes; checked before each next call. */
  responseMax?: number;
}

/** Keep-alive load for `duration` seconds over `connections` connections, ended without cutting a call. */
export async function runChatLoad(baseUrl: string, s: { duration: number; connections: number }, extraHeaders: Record<string, string>): Promise<ChatLoad> {
  const times: number[] = [];
  const start = performance.now();
  const deadline = start + s.duration * 1000;
  let last = start;
  const instance = autocannon({ url: baseUrl + CHAT_PATH, method: 'POST', headers: headersOf(extraHeaders), body: BODY, connections: s.connections, pipelining: 1, duration: s.duration + GRACE_S, timeout: 10 });
  instance.on('response', (client: AutocannonClient, _status: number, _bytes: number, ms: number) => {
    times.push(ms);
    last = performance.now();
    // The next call of this connection is about to be made: past the duration, close instead.
    if (last >= deadline) client.responseMax = 1;
  });
  const r = await instance;
  const requests = r['2xx'] + r.non2xx;
  const seconds = (last - start) / 1000;
  const cut = performance.now() - start >= (s.duration + GRACE_S - 1) * 1000;
  return { requestsPerSec: seconds > 0 ? requests / seconds : 0, requests, latency: summarise(times), errors: r.errors, non2xx: r.non2xx, seconds, cut };
}

/**
 * Fails loudly unless the target answers the bench call with 200 and a chat.completion
 * carrying the fake's text (and, through the gateway, an X-Request-Id): a target that
 * refuses or rewrites the call must not produce numbers.
 */
export async function preflightChat(name: string, baseUrl: string, expected: string, extraHeaders: Record<string, string>, viaGateway: boolean): Promise<void> {
  const res = await request(baseUrl + CHAT_PATH, { method: 'POST', headers: headersOf(extraHeaders), body: BODY, headersTimeout: 10_000, bodyTimeout: 10_000 });
  const text = await res.body.text();
  let content: unknown;
  try {
    content = (JSON.parse(text) as { choices?: Array<{ message?: { content?: unknown } }> }).choices?.[0]?.message?.content;
  } catch {
    content = undefined;
  }
  if (res.statusCode !== 200 || content !== expected) throw new Error(`${name}: POST ${CHAT_PATH} answered ${res.statusCode} ${JSON.stringify(text.slice(0, 500))}; expected 200 with the fake's answer`);
  if (viaGateway && res.headers['x-request-id'] === undefined) throw new Error(`${name}: the answer has no X-Request-Id, so it did not come through the gateway`);
}
