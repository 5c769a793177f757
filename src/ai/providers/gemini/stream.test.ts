import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertStreamCut, decodeEveryWay, sse } from '../common/testing.ts';
import { usageForms } from './fixtures.ts';
import { adapter } from './index.ts';

const decode = (wire: Uint8Array) => decodeEveryWay(() => adapter.chat.stream(), wire);

/** One streamGenerateContent event: the next parts of the candidate, usage so far. */
const chunk = (parts: unknown[], finishReason?: string, usage: Record<string, number> = { promptTokenCount: 10, totalTokenCount: 10 }) =>
  [undefined, { candidates: [{ content: { role: 'model', parts }, ...(finishReason && { finishReason }), index: 0 }], usageMetadata: usage, modelVersion: 'gemini-2.5-flash', responseId: 'resp-1' }] as const;
const final = { promptTokenCount: 10, candidatesTokenCount: 6, totalTokenCount: 16 };

test('stream: text in many languages, cut anywhere (mid-event, mid-character), decodes the same; usage once, at the end', () => {
  const pieces = ['Héllo ', '日本語 ', '🙂🚀'];
  const events = decode(sse([chunk([{ text: pieces[0] }]), chunk([{ text: pieces[1] }]), chunk([{ text: pieces[2] }], 'STOP', final)]));
  assert.deepEqual(events, [
    { type: 'start', id: 'resp-1', model: 'gemini-2.5-flash' },
    ...pieces.map((text) => ({ type: 'text', text })),
    { type: 'finish', reason: 'stop' },
    { type: 'usage', usage: { inputTokens: 10, outputTokens: 6 } },
  ]);
});

test('stream: function calls come whole, each with its own index; STOP after them is tool_calls', () => {
  const events = decode(
    sse([
      chunk([{ text: 'Checking.' }]),
      chunk([
        { functionCall: { id: 'fc-1', name: 'weather', args: { city: 'Oslo' } } },
        { functionCall: { id: 'fc-2', name: 'time', args: {} } },
      ]),
      chunk([], 'STOP', final),
    ]),
  );
  assert.deepEqual(events.slice(1, -1), [
    { type: 'text', text: 'Checking.' },
    { type: 'tool_call', index: 0, id: 'fc-1', name: 'weather', argumentsDelta: '{"city":"Oslo"}' },
    { type: 'tool_call', index: 1, id: 'fc-2', name: 'time', argumentsDelta: '{}' },
    { type: 'finish', reason: 'tool_calls' },
  ]);
});

test('stream: SAFETY mid-answer → content_filter; a blocked prompt → content_filter with no text', () => {
  assert.deepEqual(decode(sse([chunk([{ text: 'Sure, here' }]), chunk([], 'SAFETY', final)])).at(-2), { type: 'finish', reason: 'content_filter' });
  const blocked = decode(sse([[undefined, { promptFeedback: { blockReason: 'PROHIBITED_CONTENT' }, usageMetadata: { promptTokenCount: 9, totalTokenCount: 9 }, modelVersion: 'm', responseId: 'r' }]]));
  assert.deepEqual(blocked, [
    { type: 'start', id: 'r', model: 'm' },
    { type: 'finish', reason: 'content_filter' },
    { type: 'usage', usage: { inputTokens: 9, outputTokens: 0 } },
  ]);
});

for (const u of usageForms) {
  test(`stream: usage ${u.name} (the last usageMetadata is the final one)`, () => {
    const events = decode(sse([chunk([{ text: 'a' }], undefined, { promptTokenCount: 1 }), chunk([{ text: 'b' }], 'STOP', u.wire)]));
    assert.deepEqual(events.at(-1), { type: 'usage', usage: u.want });
  });
}

test('stream: an error event mid-stream ends it', () => {
  const events = decode(sse([chunk([{ text: 'Hel' }]), [undefined, { error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' } }], chunk([{ text: 'lo' }], 'STOP', final)]));
  assert.deepEqual(events, [
    { type: 'start', id: 'resp-1', model: 'gemini-2.5-flash' },
    { type: 'text', text: 'Hel' },
    { type: 'error', error: { status: 200, message: 'The model is overloaded.', type: 'UNAVAILABLE' } },
  ]);
});

test('stream: the wire has no end marker, so a stream that ends before a finishReason was cut', () => {
  for (const wire of [sse([chunk([{ text: 'Hel' }]), chunk([{ text: 'lo' }])]), new Uint8Array(), new TextEncoder().encode(`data: ${JSON.stringify(chunk([{ text: 'x' }], 'STOP')[1])}`)]) {
    assertStreamCut(decode(wire));
  }
});

test('stream: data that is not JSON is an invalid answer', () => {
  const events = decode(sse([chunk([{ text: 'a' }]), [undefined, 'not json']]));
  assert.deepEqual(events.at(-1), { type: 'error', error: { status: 200, type: 'invalid_response', message: 'the answer is not a Gemini stream event: not json' } });
});
