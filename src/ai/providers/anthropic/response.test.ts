import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChatResponse, ProviderError } from '../../types.ts';
import { JSON_TOOL } from '../common/tools.ts';
import { usageForms } from './fixtures.ts';
import { adapter } from './index.ts';

function decode(json: unknown, headers = {}): ChatResponse | ProviderError {
  return adapter.chat.response(Buffer.from(typeof json === 'string' ? json : JSON.stringify(json)), headers);
}

const message = (over: Record<string, unknown>) => ({
  id: 'msg_01',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-4-5',
  content: [{ type: 'text', text: 'Hello' }],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: { input_tokens: 10, output_tokens: 3 },
  ...over,
});

test('response: text, id and model', () => {
  assert.deepEqual(decode(message({})), { id: 'msg_01', model: 'claude-sonnet-4-5', parts: [{ type: 'text', text: 'Hello' }], finishReason: 'stop', usage: { inputTokens: 10, outputTokens: 3 } });
});

test('response: tool_use blocks become tool calls with their input as JSON text', () => {
  const r = decode(message({ content: [{ type: 'text', text: 'Checking.' }, { type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Oslo' } }], stop_reason: 'tool_use' })) as ChatResponse;
  assert.deepEqual(r.parts, [{ type: 'text', text: 'Checking.' }, { type: 'tool_call', id: 'toolu_1', name: 'weather', arguments: '{"city":"Oslo"}' }]);
  assert.equal(r.finishReason, 'tool_calls');
});

test('response: the forced JSON tool\'s input is the text answer, and its tool_use stop is an ordinary stop', () => {
  const r = decode(message({ content: [{ type: 'tool_use', id: 'toolu_1', name: JSON_TOOL, input: { n: 1 } }], stop_reason: 'tool_use' })) as ChatResponse;
  assert.deepEqual(r.parts, [{ type: 'text', text: '{"n":1}' }]);
  assert.equal(r.finishReason, 'stop');
});

const stops: [string | null, ChatResponse['finishReason']][] = [
  ['end_turn', 'stop'],
  ['stop_sequence', 'stop'],
  ['pause_turn', 'stop'],
  ['max_tokens', 'length'],
  ['model_context_window_exceeded', 'length'],
  ['tool_use', 'tool_calls'],
  ['refusal', 'content_filter'],
  [null, 'stop'],
];
for (const [stop, want] of stops) {
  test(`response: stop_reason ${stop} → ${want}`, () => {
    const content = stop === 'tool_use' ? [{ type: 'tool_use', id: 't', name: 'weather', input: {} }] : [{ type: 'text', text: 'x' }];
    assert.equal((decode(message({ stop_reason: stop, content })) as ChatResponse).finishReason, want);
  });
}

const sequences: { name: string; over: Record<string, unknown>; want: string | undefined }[] = [
  { name: 'a stop on a stop sequence names the sequence', over: { stop_reason: 'stop_sequence', stop_sequence: '\n\nHuman:' }, want: '\n\nHuman:' },
  { name: 'an end_turn stop has none', over: { stop_reason: 'end_turn', stop_sequence: null }, want: undefined },
  { name: 'a stop_sequence stop without the sequence (not a string) has none', over: { stop_reason: 'stop_sequence', stop_sequence: null }, want: undefined },
  { name: 'a stray stop_sequence beside another stop reason is ignored', over: { stop_reason: 'max_tokens', stop_sequence: 'END' }, want: undefined },
];
for (const c of sequences) {
  test(`response: ${c.name}`, () => {
    const r = decode(message(c.over)) as ChatResponse;
    assert.equal(r.stopSequence, c.want);
    assert.equal('stopSequence' in r, c.want !== undefined, 'no stopSequence member when there is none');
  });
}

for (const u of usageForms) {
  test(`response: usage with ${u.name}`, () => {
    assert.deepEqual((decode(message({ usage: u.wire })) as ChatResponse).usage, u.want);
  });
}

test('response: no usage member, no usage', () => {
  assert.equal((decode(message({ usage: undefined })) as ChatResponse).usage, undefined);
});

test('response: an error envelope inside a 200 is a provider error with status 200 and the request id', () => {
  const r = decode({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, { 'request-id': 'req_011' });
  assert.deepEqual(r, { status: 200, message: 'Overloaded', type: 'overloaded_error', requestId: 'req_011' });
});

test('response: a 200 that is not a message at all says so', () => {
  for (const body of ['<html>captive portal</html>', '{"hello":1}', '']) {
    const r = decode(body) as ProviderError;
    assert.equal(r.status, 200);
    assert.equal(r.type, 'invalid_response');
    assert.match(r.message, /not a Messages API message/);
  }
});
