/** The OpenAI adapter over real HTTP (undici) against the OpenAI fake. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chatOverHttp, embeddingsOverHttp, streamOverHttp } from '../../../../test/ai/fakes/adapter-harness.ts';
import { startOpenAIFake } from '../../../../test/ai/fakes/openai.ts';
import { type FakeServer, madeUpVector } from '../../../../test/ai/fakes/server.ts';
import type { ChatRequest, StreamEvent } from '../../types.ts';
import type { ProviderTarget } from '../types.ts';
import { target } from '../common/testing.ts';
import { streamedTextFinishUsage } from '../common/http-testing.ts';
import { adapter } from './index.ts';

const KEY = 'sk-test-abcdefghijklmnop';
const req: ChatRequest = { model: 'alias', messages: [{ role: 'user', parts: [{ type: 'text', text: 'Say hello' }] }], stream: false, maxOutputTokens: 64 };
const textOf = (events: StreamEvent[]) => events.map((e) => (e.type === 'text' ? e.text : '')).join('');

describe('OpenAI adapter against the OpenAI fake', () => {
  let fake: FakeServer;
  let t: ProviderTarget;
  before(async () => {
    fake = await startOpenAIFake({ apiKey: KEY });
    t = target('openai', { baseUrl: fake.url, model: 'gpt-4o-mini', credentials: { apiKey: KEY } });
  });
  after(() => fake.close());

  test('non-streamed: text and usage; the fake got the Bearer key and max_completion_tokens', async () => {
    fake.enqueue({ text: 'Hello, wörld', usage: { input: 11, output: 4, cached: 2, reasoning: 1 } });
    const out = await chatOverHttp(adapter, req, t);
    assert.ok(out.ok && 'id' in out.value);
    const { id, ...rest } = out.value;
    assert.match(id, /^chatcmpl-fake/);
    assert.deepEqual(rest, { model: 'gpt-4o-mini', parts: [{ type: 'text', text: 'Hello, wörld' }], finishReason: 'stop', usage: { inputTokens: 11, outputTokens: 4, cachedInputTokens: 2, reasoningTokens: 1 } });
    const call = fake.calls.at(-1)!;
    assert.equal(call.headers.authorization, `Bearer ${KEY}`);
    assert.deepEqual(call.body, { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }], max_completion_tokens: 64 });
  });

  test('streamed: start, text pieces, finish, the usage chunk', async () => {
    await streamedTextFinishUsage(adapter, req, t, fake, 'Streaming 😀 text', { input: 7, output: 5 }, { inputTokens: 7, outputTokens: 5, cachedInputTokens: 0, reasoningTokens: 0 });
    assert.deepEqual((fake.calls.at(-1)!.body as { stream_options: unknown }).stream_options, { include_usage: true });
  });

  test('streamed tool call: deltas that join to the arguments', async () => {
    const toolCall = { id: 'call_9', name: 'lookup', arguments: '{"query":"weather in Paris"}' };
    fake.enqueue({ toolCall });
    const out = await streamOverHttp(adapter, { ...req, tools: [{ name: 'lookup', parameters: { type: 'object' } }] }, t);
    assert.ok(out.ok);
    const calls = out.value.filter((e) => e.type === 'tool_call');
    assert.deepEqual([calls[0].id, calls[0].name], ['call_9', 'lookup']);
    assert.equal(calls.map((c) => c.argumentsDelta).join(''), toolCall.arguments);
    assert.ok(out.value.some((e) => e.type === 'finish' && e.reason === 'tool_calls'));
  });

  test('a mid-stream error event and a cut connection both end in an error event', async () => {
    fake.enqueue({ text: 'abcdefghijkl', midStreamError: { afterChunks: 2, message: 'boom' } }, { text: 'abcdefghijkl', cutAfterChunks: 1 });
    const failed = await streamOverHttp(adapter, req, t);
    assert.ok(failed.ok);
    assert.equal(textOf(failed.value), 'abcdefgh');
    assert.deepEqual(failed.value.at(-1), { type: 'error', error: { status: 200, message: 'boom', type: 'server_error' } });
    const cut = await streamOverHttp(adapter, req, t);
    assert.ok(cut.ok);
    assert.equal(textOf(cut.value), 'abcd');
    const last = cut.value.at(-1)!;
    assert.ok(last.type === 'error' && last.error.type === 'stream_cut', JSON.stringify(last));
  });

  test('an error inside a 200, whole and streamed', async () => {
    fake.enqueue({ errorInside200: { message: 'overloaded', type: 'server_error' } }, { errorInside200: { message: 'overloaded', type: 'server_error' } });
    const whole = await chatOverHttp(adapter, req, t);
    assert.deepEqual(whole.ok && whole.value, { status: 200, message: 'overloaded', type: 'server_error' });
    const streamed = await streamOverHttp(adapter, req, t);
    assert.deepEqual(streamed.ok && streamed.value, [{ type: 'error', error: { status: 200, message: 'overloaded', type: 'server_error' } }]);
  });

  test('a wrong key: 401 with the request id, and no piece of the key in the message', async () => {
    const out = await chatOverHttp(adapter, req, { ...t, credentials: { apiKey: 'sk-wrong-0123456789wxyz' } });
    assert.ok(!out.ok);
    assert.equal(out.status, 401);
    assert.equal(out.error.type, 'invalid_api_key');
    assert.match(out.error.requestId ?? '', /^req_fake/);
    assert.match(out.error.message, /^Incorrect API key provided: sk-\*\*\*\./);
    assert.doesNotMatch(out.error.message, /wxyz|wrong/);
  });

  test('429 with Retry-After, 403 and 500: status, type, retry', async () => {
    fake.enqueue({ status: 429, retryAfterS: 12, error: { message: 'Rate limit reached' } }, { status: 403, error: { message: 'Country not supported' } }, { status: 500, error: { message: 'internal' } });
    const limited = await streamOverHttp(adapter, req, t);
    assert.deepEqual(!limited.ok && [limited.status, limited.error.type, limited.error.retryAfterS], [429, 'rate_limit_exceeded', 12]);
    const forbidden = await chatOverHttp(adapter, req, t);
    assert.deepEqual(!forbidden.ok && [forbidden.status, forbidden.error.message], [403, 'Country not supported']);
    const failed = await chatOverHttp(adapter, req, t);
    assert.deepEqual(!failed.ok && [failed.status, failed.error.type], [500, 'server_error']);
  });

  test('embeddings', async () => {
    const out = await embeddingsOverHttp(adapter, { model: 'alias', input: ['x', 'y'], dimensions: 3 }, { ...t, model: 'text-embedding-3-small' });
    assert.ok(out.ok && 'vectors' in out.value);
    assert.equal(out.value.model, 'text-embedding-3-small');
    assert.deepEqual(out.value.vectors, [madeUpVector('x', 3), madeUpVector('y', 3)]);
    assert.ok(out.value.usage && out.value.usage.inputTokens > 0 && out.value.usage.outputTokens === 0);
    assert.equal((fake.calls.at(-1)!.body as { encoding_format?: string }).encoding_format, undefined);
  });
});
