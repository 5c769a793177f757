/** The Gemini adapter over real HTTP (undici) against the Gemini fake. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chatOverHttp, embeddingsOverHttp, streamOverHttp } from '../../../../test/ai/fakes/adapter-harness.ts';
import { FAKE_THOUGHT_SIGNATURE, startGeminiFake } from '../../../../test/ai/fakes/gemini.ts';
import { type FakeServer, madeUpVector } from '../../../../test/ai/fakes/server.ts';
import type { ChatRequest, Part } from '../../types.ts';
import type { ProviderTarget } from '../types.ts';
import { midStreamErrorAndCut, noUsageWhenOmitted, streamedTextFinishUsage } from '../common/http-testing.ts';
import { target } from '../common/testing.ts';
import { adapter } from './index.ts';
import { fromToolCallId } from './signature.ts';

const KEY = 'AIzaSyFAKE-0123456789abcdefghijklmnopq';
const req: ChatRequest = { model: 'alias', messages: [{ role: 'system', parts: [{ type: 'text', text: 'Be brief.' }] }, { role: 'user', parts: [{ type: 'text', text: 'Say hello' }] }], stream: false, maxOutputTokens: 64 };

describe('Gemini adapter against the Gemini fake', () => {
  let fake: FakeServer;
  let t: ProviderTarget;
  before(async () => {
    fake = await startGeminiFake({ apiKey: KEY });
    t = target('gemini', { baseUrl: fake.url, model: 'gemini-2.5-flash', credentials: { apiKey: KEY } });
  });
  after(() => fake.close());

  test('non-streamed: text and usage with cached and thinking counts; the fake got the key and the body', async () => {
    fake.enqueue({ text: 'Hello, wörld', usage: { input: 110, output: 44, cached: 100, reasoning: 40 } });
    const out = await chatOverHttp(adapter, req, t);
    assert.ok(out.ok && 'id' in out.value);
    assert.deepEqual({ ...out.value, id: '' }, { id: '', model: 'gemini-2.5-flash', parts: [{ type: 'text', text: 'Hello, wörld' }], finishReason: 'stop', usage: { inputTokens: 110, outputTokens: 44, cachedInputTokens: 100, reasoningTokens: 40 } });
    const call = fake.calls.at(-1)!;
    assert.equal(call.headers['x-goog-api-key'], KEY);
    assert.ok(!call.url.includes(KEY));
    assert.deepEqual(call.body, { systemInstruction: { parts: [{ text: 'Be brief.' }] }, contents: [{ role: 'user', parts: [{ text: 'Say hello' }] }], generationConfig: { maxOutputTokens: 64 } });
  });

  test('streamed: start, text pieces, finish, usage', async () => {
    await streamedTextFinishUsage(adapter, req, t, fake, 'Streaming 😀 text', { input: 7, output: 5 }, { inputTokens: 7, outputTokens: 5 });
  });

  test('a function call keeps its thought signature across the round trip: answer, then history sent back', async () => {
    fake.enqueue({ toolCall: { id: 'x', name: 'lookup', arguments: '{"query":"weather in Paris"}' } }, { text: 'Sunny.' });
    const withTools: ChatRequest = { ...req, tools: [{ name: 'lookup', parameters: { type: 'object' } }] };
    const first = await chatOverHttp(adapter, withTools, t);
    assert.ok(first.ok && 'parts' in first.value);
    assert.equal(first.value.finishReason, 'tool_calls');
    const call = first.value.parts[0] as Extract<Part, { type: 'tool_call' }>;
    assert.deepEqual([call.name, call.arguments, fromToolCallId(call.id).thoughtSignature], ['lookup', '{"query":"weather in Paris"}', FAKE_THOUGHT_SIGNATURE]);
    const history: ChatRequest = { ...withTools, messages: [...withTools.messages, { role: 'assistant', parts: [call] }, { role: 'tool', parts: [{ type: 'tool_result', toolCallId: call.id, content: 'sunny' }] }] };
    const second = await chatOverHttp(adapter, history, t);
    assert.ok(second.ok && 'parts' in second.value);
    const sent = fake.calls.at(-1)!.body as { contents: { parts: Record<string, unknown>[] }[] };
    assert.deepEqual(sent.contents.slice(1), [
      { role: 'model', parts: [{ functionCall: { name: 'lookup', args: { query: 'weather in Paris' } }, thoughtSignature: FAKE_THOUGHT_SIGNATURE }] },
      { role: 'user', parts: [{ functionResponse: { name: 'lookup', response: { output: 'sunny' } } }] },
    ]);
  });

  test('embeddings through batchEmbedContents', async () => {
    const out = await embeddingsOverHttp(adapter, { model: 'alias', input: ['a', 'b'], dimensions: 4 }, { ...t, model: 'text-embedding-004' });
    assert.ok(out.ok);
    assert.deepEqual(out.value, { model: '', vectors: [madeUpVector('a', 4), madeUpVector('b', 4)] });
  });

  test('refusals: a wrong key (400), 429 with RetryInfo, 500; the key is never in the error', async () => {
    const wrongKey = await chatOverHttp(adapter, req, { ...t, credentials: { apiKey: 'AIzaWrong' } });
    assert.ok(!wrongKey.ok);
    assert.deepEqual(wrongKey.error, { status: 400, message: 'API key not valid. Please pass a valid API key.', type: 'INVALID_ARGUMENT' });
    fake.enqueue({ status: 429, error: { message: 'Quota exceeded.' }, retryAfterS: 21 }, { status: 500 });
    const limited = await chatOverHttp(adapter, req, t);
    assert.ok(!limited.ok);
    assert.deepEqual(limited.error, { status: 429, message: 'Quota exceeded.', type: 'RESOURCE_EXHAUSTED', retryAfterS: 21 });
    const failed = await streamOverHttp(adapter, req, t);
    assert.ok(!failed.ok);
    assert.deepEqual([failed.error.status, failed.error.type], [500, 'INTERNAL']);
    for (const e of [wrongKey.error, limited.error, failed.error]) assert.ok(!JSON.stringify(e).includes(KEY));
  });

  test('an error inside a 200, a mid-stream error, a cut stream', async () => {
    fake.enqueue({ errorInside200: { message: 'busy' } });
    const inside = await chatOverHttp(adapter, req, t);
    assert.deepEqual(inside.ok && inside.value, { status: 200, message: 'busy', type: 'INTERNAL' });
    assert.deepEqual(await midStreamErrorAndCut(adapter, req, t, fake, 'The model is overloaded.'), { type: 'error', error: { status: 200, message: 'The model is overloaded.', type: 'INTERNAL' } });
  });

  test('a provider that sends no usage: none comes out, whole or streamed', async () => {
    await noUsageWhenOmitted(adapter, req, t, fake);
  });
});
