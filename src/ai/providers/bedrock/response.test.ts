import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChatResponse, ProviderError } from '../../types.ts';
import { JSON_TOOL } from '../common/tools.ts';
import { usageForms } from './fixtures.ts';
import { adapter } from './index.ts';

function decode(json: unknown): ChatResponse | ProviderError {
  return adapter.chat.response(Buffer.from(typeof json === 'string' ? json : JSON.stringify(json)), { 'x-amzn-requestid': 'b7a1c3e0-0000-4000-8000-000000000001' });
}
const answer = (over: Record<string, unknown> = {}, content: unknown[] = [{ text: 'Hello' }]) => ({
  output: { message: { role: 'assistant', content } },
  stopReason: 'end_turn',
  usage: { inputTokens: 10, outputTokens: 3, totalTokens: 13 },
  metrics: { latencyMs: 120 },
  ...over,
});

test('response: text; the id is the request id (Converse names neither id nor model)', () => {
  assert.deepEqual(decode(answer()), { id: 'b7a1c3e0-0000-4000-8000-000000000001', model: '', parts: [{ type: 'text', text: 'Hello' }], finishReason: 'stop', usage: { inputTokens: 10, outputTokens: 3 } });
});

test('response: toolUse blocks become tool calls; the forced JSON tool becomes text', () => {
  const tools = decode(answer({ stopReason: 'tool_use' }, [{ text: 'Checking.' }, { toolUse: { toolUseId: 'tooluse_1', name: 'weather', input: { city: 'Oslo' } } }])) as ChatResponse;
  assert.deepEqual(tools.parts, [{ type: 'text', text: 'Checking.' }, { type: 'tool_call', id: 'tooluse_1', name: 'weather', arguments: '{"city":"Oslo"}' }]);
  assert.equal(tools.finishReason, 'tool_calls');
  const json = decode(answer({ stopReason: 'tool_use' }, [{ toolUse: { toolUseId: 'tooluse_2', name: JSON_TOOL, input: { n: 1 } } }])) as ChatResponse;
  assert.deepEqual([json.parts, json.finishReason], [[{ type: 'text', text: '{"n":1}' }], 'stop']);
});

const stops: [string, ChatResponse['finishReason']][] = [
  ['end_turn', 'stop'],
  ['stop_sequence', 'stop'],
  ['max_tokens', 'length'],
  ['model_context_window_exceeded', 'length'],
  ['tool_use', 'tool_calls'],
  ['guardrail_intervened', 'content_filter'],
  ['content_filtered', 'content_filter'],
  ['malformed_model_output', 'error'],
];
for (const [stop, want] of stops) {
  test(`response: stopReason ${stop} → ${want}`, () => {
    const content = stop === 'tool_use' ? [{ toolUse: { toolUseId: 't', name: 'weather', input: {} } }] : [{ text: 'x' }];
    assert.equal((decode(answer({ stopReason: stop }, content)) as ChatResponse).finishReason, want);
  });
}

const sequences: { name: string; over: Record<string, unknown>; want: string | undefined }[] = [
  { name: 'stop_sequence with the sequence the request asked back (additionalModelResponseFields)', over: { stopReason: 'stop_sequence', additionalModelResponseFields: { stop_sequence: 'END' } }, want: 'END' },
  { name: 'stop_sequence without it: Converse does not say which', over: { stopReason: 'stop_sequence' }, want: undefined },
  { name: 'an end_turn stop', over: { stopReason: 'end_turn', additionalModelResponseFields: { stop_sequence: null } }, want: undefined },
];
for (const c of sequences) {
  test(`response: ${c.name}`, () => {
    const r = decode(answer(c.over)) as ChatResponse;
    assert.equal(r.finishReason, 'stop');
    assert.equal(r.stopSequence, c.want);
    assert.equal('stopSequence' in r, c.want !== undefined);
  });
}

for (const u of usageForms) {
  test(`response: usage with ${u.name}`, () => {
    assert.deepEqual((decode(answer({ usage: u.wire })) as ChatResponse).usage, u.want);
  });
}

test('response: an error inside a 200 ({message} and no output) is a provider error', () => {
  const r = adapter.chat.response(Buffer.from('{"message":"Model is getting throttled."}'), { 'x-amzn-requestid': 'rid', 'x-amzn-errortype': 'ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/' });
  assert.deepEqual(r, { status: 200, message: 'Model is getting throttled.', type: 'ThrottlingException', requestId: 'rid' });
});

test('response: a 200 that is not a Converse answer says so', () => {
  for (const body of ['<html></html>', '{"output":{}}', '']) {
    const r = decode(body) as ProviderError;
    assert.equal(r.type, 'invalid_response');
    assert.match(r.message, /not a Bedrock Converse answer/);
  }
});
