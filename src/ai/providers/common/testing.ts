/**
 * Fixtures for the provider adapters' tests (not used by the gateway itself).
 *
 * decodeEveryWay feeds one wire answer to fresh decoders cut every way that
 * matters (whole, byte by byte, in two at every offset — which lands inside every event,
 * frame and multi-byte UTF-8 character — and in uneven runs) and checks they all decode it
 * to the same events, which it returns.
 */
import assert from 'node:assert/strict';
import type { ChatRequest, StreamEvent } from '../../types.ts';
import type { ProviderTarget, ProviderType, StreamDecoder } from '../types.ts';

export function decodeInPieces(decoder: StreamDecoder, pieces: readonly Uint8Array[]): StreamEvent[] {
  const out: StreamEvent[] = [];
  for (const p of pieces) out.push(...decoder.push(p));
  out.push(...decoder.end());
  return out;
}

export function decodeEveryWay(make: () => StreamDecoder, wire: Uint8Array): StreamEvent[] {
  const whole = decodeInPieces(make(), [wire]);
  const cuts: [string, Uint8Array[]][] = [['byte by byte', Array.from(wire, (_, i) => wire.subarray(i, i + 1))]];
  for (let at = 1; at < wire.length; at++) cuts.push([`cut at byte ${at}`, [wire.subarray(0, at), wire.subarray(at)]]);
  for (const size of [3, 7, 64]) cuts.push([`runs of ${size} bytes`, runs(wire, size)]);
  for (const [how, pieces] of cuts) assert.deepEqual(decodeInPieces(make(), pieces), whole, `decoded ${how}`);
  return whole;
}

function runs(wire: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < wire.length; i += size) out.push(wire.subarray(i, i + size));
  return out;
}

/** SSE text as bytes: `event:` lines where given, one JSON data line each. */
export function sse(events: readonly (readonly [event: string | undefined, data: unknown])[]): Uint8Array {
  const text = events.map(([event, data]) => `${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`).join('');
  return new TextEncoder().encode(text);
}

/** A chat request with one user message, for request-building tables. */
export function chatRequest(over: Partial<ChatRequest> = {}): ChatRequest {
  return { model: 'alias', messages: [{ role: 'user', parts: [{ type: 'text', text: 'Hi' }] }], stream: false, ...over };
}

export function target(type: ProviderType, over: Partial<ProviderTarget> = {}): ProviderTarget {
  return { provider: `my-${type}`, type, baseUrl: 'https://provider.test', model: 'the-model', credentials: { apiKey: 'sk-secret-key' }, options: {}, ...over };
}

/** The text of a decoded stream, joined. */
export function textOf(events: readonly StreamEvent[]): string {
  return events.map((e) => (e.type === 'text' ? e.text : '')).join('');
}

/** A stream the provider cut: exactly one error event, the last, saying so; no finish, no usage. */
export function assertStreamCut(events: readonly StreamEvent[]): void {
  const errors = events.filter((e) => e.type === 'error');
  assert.equal(errors.length, 1, JSON.stringify(events));
  assert.equal(events.at(-1), errors[0]);
  assert.equal(errors[0].type === 'error' && errors[0].error.type, 'stream_cut');
  assert.ok(!events.some((e) => e.type === 'finish' || e.type === 'usage'), 'a cut stream has no finish and no usage');
}
