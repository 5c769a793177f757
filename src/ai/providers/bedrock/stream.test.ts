import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StreamEvent } from '../../types.ts';
import { assertStreamCut, decodeEveryWay } from '../common/testing.ts';
import { JSON_TOOL } from '../common/tools.ts';
import { usageForms } from './fixtures.ts';
import { codec, eventFrame, exceptionFrame } from './frames.ts';
import { BedrockStreamDecoder } from './stream.ts';

const decode = (...frames: Uint8Array[]) => decodeEveryWay(() => new BedrockStreamDecoder(() => 'fixed-id'), Buffer.concat(frames));
/** Bedrock pads events with a random "p" member so their sizes do not give the text away. */
const ev = (type: string, payload: Record<string, unknown>) => eventFrame(type, { ...payload, p: 'abcdefghij' });
const start = ev('messageStart', { role: 'assistant' });
const text = (index: number, t: string) => ev('contentBlockDelta', { contentBlockIndex: index, delta: { text: t } });
const tool = (index: number, toolUseId: string, name: string, pieces: string[]) => [
  ev('contentBlockStart', { contentBlockIndex: index, start: { toolUse: { toolUseId, name } } }),
  ...pieces.map((input) => ev('contentBlockDelta', { contentBlockIndex: index, delta: { toolUse: { input } } })),
  ev('contentBlockStop', { contentBlockIndex: index }),
];
const stop = (stopReason: string) => ev('messageStop', { stopReason });
const metadata = (usage: Record<string, number> = { inputTokens: 25, outputTokens: 12, totalTokens: 37 }) => ev('metadata', { usage, metrics: { latencyMs: 300 } });

test('stream: text in many languages, cut anywhere (mid-frame, mid-character), decodes the same', () => {
  const pieces = ['Héllo ', '日本語 ', '🙂🚀'];
  const events = decode(start, ...pieces.map((p) => text(0, p)), ev('contentBlockStop', { contentBlockIndex: 0 }), stop('end_turn'), metadata());
  assert.deepEqual(events, [
    { type: 'start', id: 'fixed-id', model: '' },
    ...pieces.map((t) => ({ type: 'text', text: t })),
    { type: 'finish', reason: 'stop' },
    { type: 'usage', usage: { inputTokens: 25, outputTokens: 12 } },
  ]);
});

test('stream: messageStop on a stop sequence names it where the model answered it back, else not', () => {
  const named = decode(start, text(0, 'Once'), ev('messageStop', { stopReason: 'stop_sequence', additionalModelResponseFields: { stop_sequence: 'THE END' } }), metadata());
  assert.deepEqual(named[2], { type: 'finish', reason: 'stop', stopSequence: 'THE END' });
  const unnamed = decode(start, text(0, 'Once'), stop('stop_sequence'), metadata());
  assert.deepEqual(unnamed[2], { type: 'finish', reason: 'stop' });
});

test('stream: tool uses get an index, id and name first, then their input in pieces', () => {
  const events = decode(start, text(0, 'Checking.'), ...tool(1, 'tooluse_a', 'weather', ['{"city":', '"Oslo"}']), ...tool(2, 'tooluse_b', 'time', ['{}']), stop('tool_use'), metadata());
  assert.deepEqual(events.slice(1, -1), [
    { type: 'text', text: 'Checking.' },
    { type: 'tool_call', index: 0, id: 'tooluse_a', name: 'weather', argumentsDelta: '' },
    { type: 'tool_call', index: 0, argumentsDelta: '{"city":' },
    { type: 'tool_call', index: 0, argumentsDelta: '"Oslo"}' },
    { type: 'tool_call', index: 1, id: 'tooluse_b', name: 'time', argumentsDelta: '' },
    { type: 'tool_call', index: 1, argumentsDelta: '{}' },
    { type: 'finish', reason: 'tool_calls' },
  ]);
});

test('stream: the forced JSON tool streams as text and ends as an ordinary stop', () => {
  const events = decode(start, ...tool(0, 'tooluse_j', JSON_TOOL, ['{"n":', '1}']), stop('tool_use'), metadata());
  assert.deepEqual(events.slice(1, -1), [{ type: 'text', text: '{"n":' }, { type: 'text', text: '1}' }, { type: 'finish', reason: 'stop' }]);
});

for (const u of usageForms) {
  test(`stream: metadata usage with ${u.name}`, () => {
    assert.deepEqual(decode(start, text(0, 'x'), stop('end_turn'), metadata(u.wire)).at(-1), { type: 'usage', usage: u.want });
  });
}

test('stream: a stream cut after messageStop, before or inside the metadata frame, is complete without usage', () => {
  const whole = Buffer.concat([start, text(0, 'x'), stop('max_tokens'), metadata()]);
  for (const wire of [whole.subarray(0, whole.length - metadata().length), whole.subarray(0, whole.length - 5)]) {
    assert.deepEqual(decodeEveryWay(() => new BedrockStreamDecoder(() => 'fixed-id'), wire).slice(1), [{ type: 'text', text: 'x' }, { type: 'finish', reason: 'length' }]);
  }
});

for (const [exception, message] of [
  ['throttlingException', 'Too many requests, please wait before trying again.'],
  ['modelStreamErrorException', 'Model stream error'],
  ['internalServerException', 'Internal error'],
]) {
  test(`stream: an exception frame (${exception}) ends the stream with its type and message`, () => {
    const events = decode(start, text(0, 'Hel'), exceptionFrame(exception, message), text(0, 'lo'), stop('end_turn'), metadata());
    assert.deepEqual(events, [
      { type: 'start', id: 'fixed-id', model: '' },
      { type: 'text', text: 'Hel' },
      { type: 'error', error: { status: 200, type: exception, message } },
    ]);
  });
}

test('stream: a generic AWS error frame (:message-type error) ends the stream with its code and message', () => {
  const error = codec.encode({ headers: { ':message-type': { type: 'string', value: 'error' }, ':error-code': { type: 'string', value: 'InternalFailure' }, ':error-message': { type: 'string', value: 'We encountered an internal error.' } }, body: new Uint8Array() });
  assert.deepEqual(decode(start, text(0, 'Hel'), error, stop('end_turn')).slice(1), [{ type: 'text', text: 'Hel' }, { type: 'error', error: { status: 200, type: 'InternalFailure', message: 'We encountered an internal error.' } }]);
});

test('stream: a stream cut before messageStop, at a frame boundary or in the middle of a frame, ends with an error event', () => {
  const frames = Buffer.concat([start, text(0, 'Hel'), text(0, 'lo')]);
  for (const wire of [frames, frames.subarray(0, frames.length - 5), Buffer.alloc(0)]) assertStreamCut(decodeEveryWay(() => new BedrockStreamDecoder(() => 'fixed-id'), wire));
});

test('stream: a corrupt frame (bad CRC, impossible length) is an invalid answer', () => {
  const bad = Buffer.from(text(0, 'Hello'));
  bad[bad.length - 8] ^= 0xff;
  for (const wire of [Buffer.concat([start, bad]), Buffer.concat([start, Buffer.from([0, 0, 0, 3, 1, 2, 3, 4])])]) {
    const events = decodeEveryWay(() => new BedrockStreamDecoder(() => 'fixed-id'), wire);
    assert.equal(events.length, 2);
    const last = events[1] as Extract<StreamEvent, { type: 'error' }>;
    assert.equal(last.error.type, 'invalid_response');
    assert.match(last.error.message, /not a valid AWS event stream/);
  }
});
