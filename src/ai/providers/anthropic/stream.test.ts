import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertStreamCut, decodeEveryWay, sse } from '../common/testing.ts';
import { JSON_TOOL } from '../common/tools.ts';
import { usageForms } from './fixtures.ts';
import { adapter } from './index.ts';

const decode = (wire: Uint8Array) => decodeEveryWay(() => adapter.chat.stream(), wire);

type Ev = readonly [string, unknown];
const start = (usage: Record<string, unknown> = { input_tokens: 25, output_tokens: 1 }): Ev => [
  'message_start',
  { type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [], stop_reason: null, usage } },
];
const textBlock = (index: number, pieces: string[]): Ev[] => [
  ['content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } }],
  ...pieces.map((text): Ev => ['content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text } }]),
  ['content_block_stop', { type: 'content_block_stop', index }],
];
const toolBlock = (index: number, id: string, name: string, pieces: string[]): Ev[] => [
  ['content_block_start', { type: 'content_block_start', index, content_block: { type: 'tool_use', id, name, input: {} } }],
  ...pieces.map((partial_json): Ev => ['content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json } }]),
  ['content_block_stop', { type: 'content_block_stop', index }],
];
const end = (stop_reason: string, usage: Record<string, unknown> = { output_tokens: 12 }, stop_sequence: string | null = null): Ev[] => [
  ['message_delta', { type: 'message_delta', delta: { stop_reason, stop_sequence }, usage }],
  ['message_stop', { type: 'message_stop' }],
];

test('stream: text in many languages, cut anywhere (mid-event, mid-character), decodes the same', () => {
  const pieces = ['Héllo ', 'wörld, ', '日本語 ', '🙂🚀', ' done'];
  const events = decode(sse([start(), ['ping', { type: 'ping' }], ...textBlock(0, pieces), ...end('end_turn')]));
  assert.deepEqual(events, [
    { type: 'start', id: 'msg_1', model: 'claude-sonnet-4-5' },
    ...pieces.map((text) => ({ type: 'text', text })),
    { type: 'finish', reason: 'stop' },
    { type: 'usage', usage: { inputTokens: 25, outputTokens: 12 } },
  ]);
});

test('stream: a stop on a stop sequence: the finish event names the sequence', () => {
  const events = decode(sse([start(), ...textBlock(0, ['Once upon']), ...end('stop_sequence', { output_tokens: 3 }, 'THE END')]));
  assert.deepEqual(events.slice(-2), [
    { type: 'finish', reason: 'stop', stopSequence: 'THE END' },
    { type: 'usage', usage: { inputTokens: 25, outputTokens: 3 } },
  ]);
});

test('stream: tool calls get their own index, id and name first, then argument pieces', () => {
  const events = decode(
    sse([start(), ...textBlock(0, ['Let me check.']), ...toolBlock(1, 'toolu_a', 'weather', ['', '{"city":', ' "Oslo"}']), ...toolBlock(2, 'toolu_b', 'time', ['{}']), ...end('tool_use')]),
  );
  assert.deepEqual(events.slice(1, -1), [
    { type: 'text', text: 'Let me check.' },
    { type: 'tool_call', index: 0, id: 'toolu_a', name: 'weather', argumentsDelta: '' },
    { type: 'tool_call', index: 0, argumentsDelta: '{"city":' },
    { type: 'tool_call', index: 0, argumentsDelta: ' "Oslo"}' },
    { type: 'tool_call', index: 1, id: 'toolu_b', name: 'time', argumentsDelta: '' },
    { type: 'tool_call', index: 1, argumentsDelta: '{}' },
    { type: 'finish', reason: 'tool_calls' },
  ]);
});

test('stream: the forced JSON tool streams as text and ends as an ordinary stop', () => {
  const events = decode(sse([start(), ...toolBlock(0, 'toolu_j', JSON_TOOL, ['', '{"n":', '1}']), ...end('tool_use')]));
  assert.deepEqual(events.slice(1, -1), [{ type: 'text', text: '{"n":' }, { type: 'text', text: '1}' }, { type: 'finish', reason: 'stop' }]);
});

for (const u of usageForms) {
  test(`stream: usage with ${u.name}, input from message_start and output from message_delta`, () => {
    const { output_tokens, ...input } = u.wire;
    const events = decode(sse([start({ ...input, output_tokens: 1 }), ...textBlock(0, ['x']), ...end('end_turn', { output_tokens })]));
    assert.deepEqual(events.at(-1), { type: 'usage', usage: u.want });
  });
}

test('stream: a message_delta that repeats the input figures (newer API versions) wins over message_start', () => {
  const events = decode(sse([start({ input_tokens: 0, output_tokens: 1 }), ...textBlock(0, ['x']), ...end('end_turn', { input_tokens: 7, cache_read_input_tokens: 90, output_tokens: 4 })]));
  assert.deepEqual(events.at(-1), { type: 'usage', usage: { inputTokens: 97, outputTokens: 4, cachedInputTokens: 90 } });
});

test('stream: null figures in message_delta (API version 2026-10-21) keep message_start\'s', () => {
  const events = decode(sse([start({ input_tokens: 12, cache_read_input_tokens: 30, output_tokens: 1 }), ...textBlock(0, ['x']), ...end('end_turn', { input_tokens: null, cache_creation_input_tokens: null, cache_read_input_tokens: null, output_tokens: 9 })]));
  assert.deepEqual(events.at(-1), { type: 'usage', usage: { inputTokens: 42, outputTokens: 9, cachedInputTokens: 30 } });
});

test('stream: max_tokens → length, refusal → content_filter', () => {
  for (const [stop, reason] of [
    ['max_tokens', 'length'],
    ['refusal', 'content_filter'],
  ] as const) {
    const events = decode(sse([start(), ...textBlock(0, ['x']), ...end(stop)]));
    assert.deepEqual(events.at(-2), { type: 'finish', reason });
  }
});

test('stream: an error event mid-stream ends it with the provider\'s error type and message', () => {
  const events = decode(
    sse([start(), ...textBlock(0, ['Hel', 'lo']).slice(0, 2), ['error', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }], ...end('end_turn')]),
  );
  assert.deepEqual(events, [
    { type: 'start', id: 'msg_1', model: 'claude-sonnet-4-5' },
    { type: 'text', text: 'Hel' },
    { type: 'error', error: { status: 200, message: 'Overloaded', type: 'overloaded_error' } },
  ]);
});

test('stream: a stream cut before message_delta (or one that never started) ends with an error event', () => {
  const cases: Uint8Array[] = [
    sse([start(), ...textBlock(0, ['Hel', 'lo'])]),
    sse([start(), ...textBlock(0, ['Hel', 'lo']).slice(0, -1)]),
    new Uint8Array(),
    // An event without its closing blank line is incomplete: it is dropped, and the cut reported.
    new TextEncoder().encode('event: message_start\ndata: {"type":"message_start","message":{"id":"m"}}'),
  ];
  for (const wire of cases) assertStreamCut(decode(wire));
});

test('stream: a stream that ends after message_delta without message_stop is whole', () => {
  const events = decode(sse([start(), ...textBlock(0, ['x']), end('end_turn')[0]]));
  assert.deepEqual(events.slice(1), [{ type: 'text', text: 'x' }, { type: 'finish', reason: 'stop' }, { type: 'usage', usage: { inputTokens: 25, outputTokens: 12 } }]);
});

test('stream: data that is not JSON is an invalid answer, once', () => {
  const events = decode(sse([start(), ['content_block_delta', '<html>oops</html>'], ...end('end_turn')]));
  assert.deepEqual(events.slice(1), [{ type: 'error', error: { status: 200, type: 'invalid_response', message: 'the answer is not a Messages API stream event: <html>oops</html>' } }]);
});
