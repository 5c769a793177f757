/** The Ollama adapter over real HTTP (undici) against the Ollama fake. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chatOverHttp, embeddingsOverHttp, streamOverHttp } from '../../../../test/ai/fakes/adapter-harness.ts';
import { startOllamaFake } from '../../../../test/ai/fakes/ollama.ts';
import { type FakeServer, madeUpVector } from '../../../../test/ai/fakes/server.ts';
import type { StreamEvent } from '../../types.ts';
import { chatRequest, target } from '../common/testing.ts';
import type { ProviderTarget } from '../types.ts';
import { streamedTextFinishUsage } from '../common/http-testing.ts';
import { adapter } from './index.ts';

const textOf = (events: StreamEvent[]) => events.map((e) => (e.type === 'text' ? e.text : '')).join('');

describe('Ollama adapter against the Ollama fake', () => {
  let fake: FakeServer;
  let t: ProviderTarget;
  before(async () => {
    fake = await startOllamaFake();
    t = target('ollama', { baseUrl: fake.url, model: 'llama3.2', credentials: {} });
  });
  after(() => fake.close());

  test('non-streamed: text and usage; the body asked for no stream and carried the options', async () => {
    fake.enqueue({ text: 'Hallo Welt', usage: { input: 14, output: 3 } });
    const out = await chatOverHttp(adapter, chatRequest({ maxOutputTokens: 30, temperature: 0 }), t);
    assert.ok(out.ok && 'parts' in out.value);
    assert.deepEqual([out.value.parts, out.value.finishReason, out.value.usage], [[{ type: 'text', text: 'Hallo Welt' }], 'stop', { inputTokens: 14, outputTokens: 3 }]);
    const body = fake.calls.at(-1)!.body as Record<string, unknown>;
    assert.deepEqual([body.stream, body.options], [false, { num_predict: 30, temperature: 0 }]);
  });

  test('streamed NDJSON: text pieces, finish, usage from the counts', async () => {
    await streamedTextFinishUsage(adapter, chatRequest(), t, fake, 'Streaming 🦙 along', { input: 8, output: 5 }, { inputTokens: 8, outputTokens: 5 });
  });

  test('a streamed tool call, and a streamed answer without counts', async () => {
    fake.enqueue({ toolCall: { id: 'x', name: 'lookup', arguments: '{"q":"ollama"}' } }, { text: 'no counts', omitUsage: true });
    const tool = await streamOverHttp(adapter, chatRequest({ tools: [{ name: 'lookup', parameters: { type: 'object' } }] }), t);
    assert.ok(tool.ok);
    assert.deepEqual(tool.value.filter((e) => e.type === 'tool_call'), [{ type: 'tool_call', index: 0, id: 'call_0', name: 'lookup', argumentsDelta: '{"q":"ollama"}' }]);
    assert.ok(tool.value.some((e) => e.type === 'finish' && e.reason === 'tool_calls'));
    const plain = await streamOverHttp(adapter, chatRequest(), t);
    assert.ok(plain.ok);
    assert.equal(plain.value.some((e) => e.type === 'usage'), false);
  });

  test('a mid-stream error line, a cut connection and an error inside a 200', async () => {
    fake.enqueue({ text: 'abcdefghijkl', midStreamError: { afterChunks: 1, message: 'model runner crashed' } }, { text: 'abcdefghijkl', cutAfterChunks: 2 }, { errorInside200: { message: 'out of memory' } });
    const failed = await streamOverHttp(adapter, chatRequest(), t);
    assert.ok(failed.ok);
    assert.deepEqual(failed.value.slice(1), [{ type: 'text', text: 'abcd' }, { type: 'error', error: { status: 200, message: 'model runner crashed' } }]);
    const cut = await streamOverHttp(adapter, chatRequest(), t);
    assert.ok(cut.ok);
    assert.equal(textOf(cut.value), 'abcdefgh');
    const last = cut.value.at(-1)!;
    assert.ok(last.type === 'error' && last.error.type === 'stream_cut');
    const inside = await chatOverHttp(adapter, chatRequest(), t);
    assert.deepEqual(inside.ok && inside.value, { status: 200, message: 'out of memory' });
  });

  test('refusals: 404 model not found, 429 with Retry-After, 500', async () => {
    fake.enqueue(
      { status: 404, error: { message: 'model "llama9" not found, try pulling it first' } },
      { status: 429, retryAfterS: 5, error: { message: 'too many requests' } },
      { status: 500, error: { message: 'llama runner process has terminated' } },
    );
    const missing = await chatOverHttp(adapter, chatRequest(), t);
    assert.deepEqual(!missing.ok && missing.error, { status: 404, message: 'model "llama9" not found, try pulling it first' });
    const limited = await streamOverHttp(adapter, chatRequest(), t);
    assert.deepEqual(!limited.ok && limited.error, { status: 429, message: 'too many requests', retryAfterS: 5 });
    const failed = await chatOverHttp(adapter, chatRequest(), t);
    assert.deepEqual(!failed.ok && [failed.status, failed.error.message], [500, 'llama runner process has terminated']);
  });

  test('embeddings through /api/embed', async () => {
    const out = await embeddingsOverHttp(adapter, { model: 'a', input: ['p', 'q'], dimensions: 3 }, { ...t, model: 'nomic-embed-text' });
    assert.ok(out.ok && 'vectors' in out.value);
    assert.deepEqual(out.value.vectors, [madeUpVector('p', 3), madeUpVector('q', 3)]);
    assert.ok(out.value.usage && out.value.usage.inputTokens > 0);
  });

  test('behind an authenticating proxy: the key as Bearer; a wrong one is a 401', async () => {
    const guarded = await startOllamaFake({ apiKey: 'proxy-key' });
    try {
      const ok = await chatOverHttp(adapter, chatRequest(), { ...t, baseUrl: guarded.url, credentials: { apiKey: 'proxy-key' } });
      assert.ok(ok.ok);
      const denied = await chatOverHttp(adapter, chatRequest(), { ...t, baseUrl: guarded.url, credentials: { apiKey: 'other' } });
      assert.deepEqual(!denied.ok && denied.error, { status: 401, message: 'unauthorized' });
    } finally {
      await guarded.close();
    }
  });
});
