import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChatResponse, EmbeddingsResponse, ProviderError } from '../../types.ts';
import { adapter } from './index.ts';
import { USAGE_FORMS } from './usage-forms.fixture.ts';

const decode = (json: unknown) => adapter.chat.response(Buffer.from(JSON.stringify(json)), {});
const completion = (message: Record<string, unknown>, finish: string | null, usage?: unknown) => ({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  model: 'gpt-4o-2024-08-06',
  choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason: finish }],
  ...(usage !== undefined && { usage }),
});

test('text answer: id, model, text part, finish and usage', () => {
  const got = decode(completion({ content: 'Hi there' }, 'stop', { prompt_tokens: 10, completion_tokens: 3, total_tokens: 13 }));
  assert.deepEqual(got, { id: 'chatcmpl-1', model: 'gpt-4o-2024-08-06', parts: [{ type: 'text', text: 'Hi there' }], finishReason: 'stop', usage: { inputTokens: 10, outputTokens: 3 } });
});

test('tool calls become tool_call parts, after any text', () => {
  const got = decode(
    completion(
      {
        content: 'Let me look.',
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'a', arguments: '{"x":1}' } },
          { id: 'call_2', type: 'function', function: { name: 'b', arguments: '{}' } },
        ],
      },
      'tool_calls',
    ),
  ) as ChatResponse;
  assert.deepEqual(got.parts, [
    { type: 'text', text: 'Let me look.' },
    { type: 'tool_call', id: 'call_1', name: 'a', arguments: '{"x":1}' },
    { type: 'tool_call', id: 'call_2', name: 'b', arguments: '{}' },
  ]);
  assert.equal(got.finishReason, 'tool_calls');
  assert.equal(got.usage, undefined, 'no usage sent, none made up');
});

test('a refusal is kept as the answer text', () => {
  const got = decode(completion({ content: null, refusal: "I can't help with that." }, 'stop')) as ChatResponse;
  assert.deepEqual(got.parts, [{ type: 'text', text: "I can't help with that." }]);
});

const finishes: [unknown, ChatResponse['finishReason']][] = [
  ['stop', 'stop'],
  ['length', 'length'],
  ['tool_calls', 'tool_calls'],
  ['function_call', 'tool_calls'],
  ['content_filter', 'content_filter'],
  ['error', 'error'],
  ['eos', 'stop'],
  [null, 'stop'],
];
for (const [wire, want] of finishes) {
  test(`finish_reason ${JSON.stringify(wire)} is ${want}`, () => {
    assert.equal((decode(completion({ content: 'x' }, wire as string)) as ChatResponse).finishReason, want);
  });
}

const stopSequences: { name: string; choice: Record<string, unknown>; want: string | undefined }[] = [
  { name: "OpenAI's plain stop names no sequence", choice: { finish_reason: 'stop' }, want: undefined },
  { name: "vLLM's stop_reason with the stop string that matched", choice: { finish_reason: 'stop', stop_reason: '\nUser:' }, want: '\nUser:' },
  { name: "vLLM's stop_reason null (the end-of-sequence token)", choice: { finish_reason: 'stop', stop_reason: null }, want: undefined },
  { name: "vLLM's stop_reason with a stop token's id", choice: { finish_reason: 'stop', stop_reason: 128009 }, want: undefined },
  { name: 'a stop_reason beside a length finish', choice: { finish_reason: 'length', stop_reason: 'END' }, want: undefined },
];
for (const c of stopSequences) {
  test(`stop sequence: ${c.name}`, () => {
    const body = { ...completion({ content: 'x' }, null), choices: [{ index: 0, message: { role: 'assistant', content: 'x' }, ...c.choice }] };
    const got = decode(body) as ChatResponse;
    assert.equal(got.stopSequence, c.want);
    assert.equal('stopSequence' in got, c.want !== undefined);
  });
}

for (const u of USAGE_FORMS) {
  test(`usage: ${u.name}`, () => {
    assert.deepEqual((decode(completion({ content: 'x' }, 'stop', u.wire)) as ChatResponse).usage, u.want);
  });
}

const errorsInside: { name: string; body: unknown; want: ProviderError }[] = [
  { name: "OpenAI's envelope", body: { error: { message: 'The server is overloaded', type: 'server_error', param: null, code: null } }, want: { status: 200, message: 'The server is overloaded', type: 'server_error' } },
  { name: "OpenRouter's numeric code", body: { error: { code: 502, message: 'Upstream failed' } }, want: { status: 200, message: 'Upstream failed', type: '502' } },
  { name: 'a bare string', body: { error: 'model is loading' }, want: { status: 200, message: 'model is loading' } },
  { name: "old vLLM's top-level error object", body: { object: 'error', message: 'bad', type: 'BadRequestError', code: 400 }, want: { status: 200, message: 'bad', type: 'BadRequestError' } },
];
for (const e of errorsInside) {
  test(`an error inside a 200: ${e.name}`, () => assert.deepEqual(decode(e.body), e.want));
}

test('a 200 that is not a completion is an invalid_response error, not a crash', () => {
  assert.equal((adapter.chat.response(Buffer.from('<html>oops</html>'), {}) as ProviderError).type, 'invalid_response');
  assert.equal((decode({ id: 'x', choices: [] }) as ProviderError).type, 'invalid_response');
});

test('embeddings: vectors in index order, float or base64, with usage', () => {
  const b64 = Buffer.from(new Float32Array([0.5, -1, 2]).buffer).toString('base64');
  const got = adapter.embeddings!.response(
    Buffer.from(JSON.stringify({ object: 'list', model: 'text-embedding-3-small', data: [{ index: 1, embedding: b64 }, { index: 0, embedding: [0.25, 0.75, 1] }], usage: { prompt_tokens: 6, total_tokens: 6 } })),
    {},
  ) as EmbeddingsResponse;
  assert.deepEqual(got, { model: 'text-embedding-3-small', vectors: [[0.25, 0.75, 1], [0.5, -1, 2]], usage: { inputTokens: 6, outputTokens: 0 } });
  assert.deepEqual(adapter.embeddings!.response(Buffer.from(JSON.stringify({ error: { message: 'nope', type: 'x' } })), {}), { status: 200, message: 'nope', type: 'x' });
});
