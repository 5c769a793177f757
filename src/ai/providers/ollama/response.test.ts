import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChatResponse, ProviderError, Usage } from '../../types.ts';
import { adapter } from './index.ts';

const decode = (v: unknown) => adapter.chat.response(Buffer.from(JSON.stringify(v)), {});
const answer = (message: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ model: 'llama3.2', created_at: '2026-01-01T00:00:00Z', message: { role: 'assistant', ...message }, done: true, done_reason: 'stop', ...extra });

test('a text answer: an id made from created_at, the model, text, stop and usage from the counts', () => {
  const got = decode(answer({ content: 'Hei!' }, { prompt_eval_count: 26, eval_count: 4, total_duration: 1 })) as ChatResponse;
  assert.deepEqual(got, { id: 'ollama-2026-01-01T00:00:00Z', model: 'llama3.2', parts: [{ type: 'text', text: 'Hei!' }], finishReason: 'stop', usage: { inputTokens: 26, outputTokens: 4 } });
});

test('tool calls (arguments as an object; ids made when Ollama sends none) finish as tool_calls', () => {
  const got = decode(
    answer({ content: '', tool_calls: [{ function: { name: 'get_weather', arguments: { city: 'Oslo' } } }, { id: 'call_x', function: { index: 1, name: 'now', arguments: {} } }] }),
  ) as ChatResponse;
  assert.deepEqual(got.parts, [
    { type: 'tool_call', id: 'call_0', name: 'get_weather', arguments: '{"city":"Oslo"}' },
    { type: 'tool_call', id: 'call_x', name: 'now', arguments: '{}' },
  ]);
  assert.equal(got.finishReason, 'tool_calls');
});

const usages: { name: string; counts: Record<string, unknown>; want: Usage | undefined }[] = [
  { name: 'both counts', counts: { prompt_eval_count: 10, eval_count: 3 }, want: { inputTokens: 10, outputTokens: 3 } },
  { name: 'prompt_eval_count left out (the prompt came from the cache)', counts: { eval_count: 3 }, want: { inputTokens: 0, outputTokens: 3 } },
  { name: 'no counts', counts: {}, want: undefined },
];
for (const u of usages) {
  test(`usage: ${u.name}`, () => assert.deepEqual((decode(answer({ content: 'x' }, u.counts)) as ChatResponse).usage, u.want));
}

test('without created_at the id is random', () => {
  const a = decode({ model: 'm', message: { role: 'assistant', content: 'x' }, done: true }) as ChatResponse;
  const b = decode({ model: 'm', message: { role: 'assistant', content: 'x' }, done: true }) as ChatResponse;
  assert.match(a.id, /^ollama-[0-9a-f-]{36}$/);
  assert.notEqual(a.id, b.id);
});

test("done_reason 'length' is length", () => {
  assert.equal((decode(answer({ content: 'x' }, { done_reason: 'length' })) as ChatResponse).finishReason, 'length');
});

test('an error inside a 200; a 200 without a message', () => {
  assert.deepEqual(decode({ error: 'an error was encountered while running the model' }), { status: 200, message: 'an error was encountered while running the model' });
  assert.equal((decode({ model: 'x' }) as ProviderError).type, 'invalid_response');
});

const errors: { name: string; status: number; headers: Record<string, string>; body: string; want: ProviderError }[] = [
  { name: '404 model not found', status: 404, headers: {}, body: '{"error":"model \\"llama9\\" not found, try pulling it first"}', want: { status: 404, message: 'model "llama9" not found, try pulling it first' } },
  { name: '401 from a proxy in front, with its request id', status: 401, headers: { 'x-request-id': 'px-1' }, body: '{"error":"unauthorized"}', want: { status: 401, message: 'unauthorized', requestId: 'px-1' } },
  { name: '429 with Retry-After', status: 429, headers: { 'retry-after': '30' }, body: '{"error":"too many requests"}', want: { status: 429, message: 'too many requests', retryAfterS: 30 } },
  { name: '500 with a text body', status: 500, headers: {}, body: 'Internal Server Error', want: { status: 500, message: 'Internal Server Error' } },
  { name: '503 with no body', status: 503, headers: {}, body: '', want: { status: 503, message: 'HTTP 503 with an empty body' } },
];
for (const e of errors) {
  test(`error: ${e.name}`, () => assert.deepEqual(adapter.error(e.status, e.headers, Buffer.from(e.body)), e.want));
}

test('embeddings: vectors and usage from prompt_eval_count', () => {
  const got = adapter.embeddings!.response(Buffer.from(JSON.stringify({ model: 'nomic-embed-text', embeddings: [[0.5, 1], [0, -1]], total_duration: 1, prompt_eval_count: 4 })), {});
  assert.deepEqual(got, { model: 'nomic-embed-text', vectors: [[0.5, 1], [0, -1]], usage: { inputTokens: 4, outputTokens: 0 } });
});
