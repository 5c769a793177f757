// Non-streamed chat throughput: the same POST /v1/chat/completions, keep-alive, from this
// process with autocannon; latency percentiles from every response time (autocannon's own
// histogram keeps whole milliseconds, too coarse here).
import autocannon from 'autocannon';
import { request } from 'undici';
import { summarise, type Summary } from './stats.ts';
import { CHAT_PATH, chatBody } from './workload.ts';

export interface LoadSettings {
  duration: number;
  connections: number;
}

export interface ChatLoad {
  requestsPerSec: number;
  requests: number;
  latency: Summary;
  errors: number;
  non2xx: number;
  seconds: number;
}

const BODY = chatBody(false);
const headersOf = (extra: Record<string, string>) => ({ 'content-type': 'application/json', ...extra });

export async function runChatLoad(baseUrl: string, s: LoadSettings, extraHeaders: Record<string, string>, measure = true): Promise<ChatLoad> {
  const times: number[] = [];
  const instance = autocannon({ url: baseUrl + CHAT_PATH, method: 'POST', headers: headersOf(extraHeaders), body: BODY, connections: s.connections, pipelining: 1, duration: s.duration, timeout: 10 });
  if (measure) instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => times.push(ms));
  const r = await instance;
  const requests = r['2xx'] + r.non2xx;
  return { requestsPerSec: requests / r.duration, requests, latency: summarise(times), errors: r.errors, non2xx: r.non2xx, seconds: r.duration };
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
