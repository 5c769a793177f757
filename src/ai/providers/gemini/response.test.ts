import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChatResponse, ProviderError } from '../../types.ts';
import { usageForms } from './fixtures.ts';
import { adapter } from './index.ts';
import { fromToolCallId } from './signature.ts';

function decode(json: unknown): ChatResponse | ProviderError {
  return adapter.chat.response(Buffer.from(typeof json === 'string' ? json : JSON.stringify(json)), {});
}
const answer = (candidate: Record<string, unknown>, over: Record<string, unknown> = {}) => ({
  candidates: [{ content: { role: 'model', parts: [{ text: 'Hello' }] }, finishReason: 'STOP', index: 0, ...candidate }],
  usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 3, totalTokenCount: 13 },
  modelVersion: 'gemini-2.5-flash',
  responseId: 'resp-1',
  ...over,
});

test('response: text, id and model; thought summaries are not the answer', () => {
  const r = decode(answer({ content: { role: 'model', parts: [{ text: 'thinking…', thought: true }, { text: 'Hel' }, { text: 'lo' }] } }));
  assert.deepEqual(r, { id: 'resp-1', model: 'gemini-2.5-flash', parts: [{ type: 'text', text: 'Hel' }, { type: 'text', text: 'lo' }], finishReason: 'stop', usage: { inputTokens: 10, outputTokens: 3 } });
});

test('response: a functionCall is a tool call (finish tool_calls) whose id carries its thought signature', () => {
  const r = decode(answer({ content: { role: 'model', parts: [{ functionCall: { name: 'weather', args: { city: 'Oslo' } }, thoughtSignature: 'U2lnbmF0dXJl' }] } })) as ChatResponse;
  assert.equal(r.finishReason, 'tool_calls');
  const call = r.parts[0] as Extract<ChatResponse['parts'][number], { type: 'tool_call' }>;
  assert.deepEqual({ ...call, id: '' }, { type: 'tool_call', id: '', name: 'weather', arguments: '{"city":"Oslo"}' });
  assert.match(call.id, /^[A-Za-z0-9_-]+$/, 'an id any client accepts');
  assert.deepEqual(fromToolCallId(call.id), { thoughtSignature: 'U2lnbmF0dXJl' });
  const withId = decode(answer({ content: { role: 'model', parts: [{ functionCall: { id: 'fc-7', name: 'time', args: {} } }] } })) as ChatResponse;
  assert.deepEqual(withId.parts, [{ type: 'tool_call', id: 'fc-7', name: 'time', arguments: '{}' }]);
});

const finishes: [string | undefined, ChatResponse['finishReason']][] = [
  ['STOP', 'stop'],
  ['MAX_TOKENS', 'length'],
  ['SAFETY', 'content_filter'],
  ['RECITATION', 'content_filter'],
  ['BLOCKLIST', 'content_filter'],
  ['PROHIBITED_CONTENT', 'content_filter'],
  ['SPII', 'content_filter'],
  ['MALFORMED_FUNCTION_CALL', 'error'],
  ['OTHER', 'error'],
  ['FINISH_REASON_UNSPECIFIED', 'stop'],
  [undefined, 'stop'],
];
for (const [reason, want] of finishes) {
  test(`response: finishReason ${reason} → ${want}`, () => {
    assert.equal((decode(answer({ finishReason: reason })) as ChatResponse).finishReason, want);
  });
}

test('response: a prompt blocked before any candidate is content_filter with no parts', () => {
  const r = decode({ promptFeedback: { blockReason: 'SAFETY', safetyRatings: [] }, usageMetadata: { promptTokenCount: 8, totalTokenCount: 8 }, modelVersion: 'gemini-2.5-flash', responseId: 'r' });
  assert.deepEqual(r, { id: 'r', model: 'gemini-2.5-flash', parts: [], finishReason: 'content_filter', usage: { inputTokens: 8, outputTokens: 0 } });
});

for (const u of usageForms) {
  test(`response: usage ${u.name}`, () => {
    assert.deepEqual((decode(answer({}, { usageMetadata: u.wire })) as ChatResponse).usage, u.want);
  });
}

test('response: an error inside a 200 (object or one-element array) is a provider error', () => {
  const error = { code: 500, message: 'An internal error has occurred.', status: 'INTERNAL' };
  for (const body of [{ error }, [{ error }]]) assert.deepEqual(decode(body), { status: 200, message: 'An internal error has occurred.', type: 'INTERNAL' });
});

test('response: a 200 that is not a Gemini answer says so', () => {
  for (const body of ['<html></html>', '{"foo":1}', '']) {
    const r = decode(body) as ProviderError;
    assert.equal(r.type, 'invalid_response');
    assert.match(r.message, /not a Gemini generateContent answer/);
  }
});

test('embeddings: vectors in input order; no usage (Gemini reports none)', () => {
  const r = adapter.embeddings!.response(Buffer.from(JSON.stringify({ embeddings: [{ values: [0.1, 0.2] }, { values: [0.3, 0.4] }] })), {});
  assert.deepEqual(r, { model: '', vectors: [[0.1, 0.2], [0.3, 0.4]] });
  assert.equal((adapter.embeddings!.response(Buffer.from('{"error":{"code":400,"message":"bad","status":"INVALID_ARGUMENT"}}'), {}) as ProviderError).type, 'INVALID_ARGUMENT');
});
