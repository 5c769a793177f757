/**
 * For the adapters' over-HTTP tests: what every adapter must make of a fake's stream that
 * fails midway (its provider's error event) or is cut (no end, a closed connection).
 */
import assert from 'node:assert/strict';
import { chatOverHttp, streamOverHttp } from '../../../../test/ai/fakes/adapter-harness.ts';
import type { FakeProvider } from '../../../../test/ai/fakes/types.ts';
import type { ChatRequest, StreamEvent, Usage } from '../../types.ts';
import type { ProviderAdapter, ProviderTarget } from '../types.ts';
import { assertStreamCut, textOf } from './testing.ts';

/**
 * Scripts the fake's next two streams of 'abcdefghijkl' (4-character pieces): an error event
 * after 2 pieces, a cut after 1. Checks the text before each and the cut's error event, and
 * returns the mid-stream error event for the provider's own checks.
 */
export async function midStreamErrorAndCut(adapter: ProviderAdapter, req: ChatRequest, t: ProviderTarget, fake: FakeProvider, message: string): Promise<StreamEvent | undefined> {
  fake.enqueue({ text: 'abcdefghijkl', midStreamError: { afterChunks: 2, message } }, { text: 'abcdefghijkl', cutAfterChunks: 1 });
  const mid = await streamOverHttp(adapter, req, t);
  assert.ok(mid.ok);
  assert.equal(textOf(mid.value), 'abcdefgh');
  const cut = await streamOverHttp(adapter, req, t);
  assert.ok(cut.ok);
  assert.equal(textOf(cut.value), 'abcd');
  assertStreamCut(cut.value);
  return mid.value.at(-1);
}

/** A provider that sends no usage (the fake's omitUsage), whole and streamed: no usage comes out, for the gateway to estimate. */
export async function noUsageWhenOmitted(adapter: ProviderAdapter, req: ChatRequest, t: ProviderTarget, fake: FakeProvider): Promise<void> {
  fake.enqueue({ text: 'no usage', omitUsage: true }, { text: 'no usage', omitUsage: true });
  const whole = await chatOverHttp(adapter, req, t);
  assert.ok(whole.ok && 'parts' in whole.value, JSON.stringify(whole));
  assert.equal(whole.value.usage, undefined);
  const streamed = await streamOverHttp(adapter, req, t);
  assert.ok(streamed.ok);
  assert.equal(textOf(streamed.value), 'no usage');
  assert.deepEqual(streamed.value.filter((e) => e.type === 'usage' || e.type === 'error'), []);
}

/**
 * A tool call the fake makes (id `id`), whole and streamed: the whole answer is that one call
 * with finish reason tool_calls; the stream's tool_call events carry its id, name and, joined,
 * its arguments.
 */
export async function toolCallWholeAndStreamed(adapter: ProviderAdapter, req: ChatRequest, t: ProviderTarget, fake: FakeProvider, id: string): Promise<void> {
  const toolCall = { id, name: 'lookup', arguments: '{"query":"weather in Paris"}' };
  const withTools = { ...req, tools: [{ name: 'lookup', parameters: { type: 'object' } }] };
  fake.enqueue({ toolCall }, { toolCall });
  const whole = await chatOverHttp(adapter, withTools, t);
  assert.ok(whole.ok && 'parts' in whole.value);
  assert.deepEqual([whole.value.parts, whole.value.finishReason], [[{ type: 'tool_call', ...toolCall }], 'tool_calls']);
  const streamed = await streamOverHttp(adapter, withTools, t);
  assert.ok(streamed.ok);
  const calls = streamed.value.filter((e) => e.type === 'tool_call');
  assert.deepEqual([calls[0].id, calls[0].name], [id, 'lookup']);
  assert.equal(calls.map((c) => c.argumentsDelta).join(''), toolCall.arguments);
}

/**
 * A streamed answer the fake plays in several pieces (`text`, with `usage` as the provider
 * reports it): the events start with start, carry the whole text in more than two pieces and
 * end with finish (stop) then `expected`, the usage as the adapter reads it. Returns the events.
 */
export async function streamedTextFinishUsage(adapter: ProviderAdapter, req: ChatRequest, t: ProviderTarget, fake: FakeProvider, text: string, usage: { input: number; output: number }, expected: Usage): Promise<StreamEvent[]> {
  fake.enqueue({ text, usage, chunkDelayMs: 1 });
  const out = await streamOverHttp(adapter, req, t);
  assert.ok(out.ok, JSON.stringify(out));
  assert.equal(out.value[0].type, 'start');
  assert.equal(textOf(out.value), text);
  assert.ok(out.value.filter((e) => e.type === 'text').length > 2);
  assert.deepEqual(out.value.slice(-2), [{ type: 'finish', reason: 'stop' }, { type: 'usage', usage: expected }]);
  return out.value;
}
