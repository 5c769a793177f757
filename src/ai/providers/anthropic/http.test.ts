/** The Anthropic adapter over real HTTP (undici) against the Anthropic fake. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chatOverHttp, streamOverHttp } from '../../../../test/ai/fakes/adapter-harness.ts';
import { startAnthropicFake } from '../../../../test/ai/fakes/anthropic.ts';
import type { FakeServer } from '../../../../test/ai/fakes/server.ts';
import type { ChatRequest } from '../../types.ts';
import type { ProviderTarget } from '../types.ts';
import { midStreamErrorAndCut, noUsageWhenOmitted, streamedTextFinishUsage, toolCallWholeAndStreamed } from '../common/http-testing.ts';
import { target } from '../common/testing.ts';
import { adapter } from './index.ts';

const KEY = 'sk-ant-test-0123456789';
const req: ChatRequest = { model: 'alias', messages: [{ role: 'system', parts: [{ type: 'text', text: 'Be brief.' }] }, { role: 'user', parts: [{ type: 'text', text: 'Say hello' }] }], stream: false };

describe('Anthropic adapter against the Anthropic fake', () => {
  let fake: FakeServer;
  let t: ProviderTarget;
  before(async () => {
    fake = await startAnthropicFake({ apiKey: KEY });
    t = target('anthropic', { baseUrl: fake.url, model: 'claude-sonnet-4-5', credentials: { apiKey: KEY } });
  });
  after(() => fake.close());

  test('non-streamed: text and usage with cache reads; the fake got the key, the version, system and max_tokens', async () => {
    fake.enqueue({ text: 'Hello, wörld', usage: { input: 110, output: 4, cached: 100 } });
    const out = await chatOverHttp(adapter, req, t);
    assert.ok(out.ok && 'id' in out.value);
    assert.deepEqual({ ...out.value, id: '' }, { id: '', model: 'claude-sonnet-4-5', parts: [{ type: 'text', text: 'Hello, wörld' }], finishReason: 'stop', usage: { inputTokens: 110, outputTokens: 4, cachedInputTokens: 100 } });
    const call = fake.calls.at(-1)!;
    assert.equal(call.headers['x-api-key'], KEY);
    assert.equal(call.headers['anthropic-version'], '2023-06-01');
    assert.deepEqual(call.body, { model: 'claude-sonnet-4-5', max_tokens: 4096, system: 'Be brief.', messages: [{ role: 'user', content: [{ type: 'text', text: 'Say hello' }] }] });
  });

  test('under API version 2026-10-21 the fake refuses temperature, which the adapter then does not send', async () => {
    fake.enqueue({ text: 'ok' });
    const out = await chatOverHttp(adapter, { ...req, temperature: 0.3 }, { ...t, options: { version: '2026-10-21' } });
    assert.ok(out.ok && 'parts' in out.value, JSON.stringify(out));
    assert.equal(fake.calls.at(-1)!.headers['anthropic-version'], '2026-10-21');
    assert.equal((fake.calls.at(-1)!.body as Record<string, unknown>).temperature, undefined);
  });

  test('streamed: start, text pieces, finish, usage', async () => {
    const events = await streamedTextFinishUsage(adapter, req, t, fake, 'Streaming 😀 text', { input: 7, output: 5 }, { inputTokens: 7, outputTokens: 5 });
    assert.deepEqual(events[0], { type: 'start', id: events[0].type === 'start' ? events[0].id : '', model: 'claude-sonnet-4-5' });
  });

  test('tool calls, whole and streamed', () => toolCallWholeAndStreamed(adapter, req, t, fake, 'toolu_9'));

  test('refusals: 401 bad key, 429 with Retry-After, 500, 529; the key is never in the error', async () => {
    const wrongKey = await chatOverHttp(adapter, req, { ...t, credentials: { apiKey: 'sk-ant-wrong' } });
    assert.ok(!wrongKey.ok);
    assert.deepEqual({ ...wrongKey.error, requestId: '' }, { status: 401, message: 'invalid x-api-key', type: 'authentication_error', requestId: '' });
    assert.match(wrongKey.error.requestId!, /^req_fake/);
    fake.enqueue({ status: 429, error: { message: 'slow down' }, retryAfterS: 12 }, { status: 500 }, { status: 529, error: { message: 'Overloaded' } });
    const limited = await chatOverHttp(adapter, req, t);
    assert.ok(!limited.ok);
    assert.deepEqual([limited.error.status, limited.error.type, limited.error.retryAfterS], [429, 'rate_limit_error', 12]);
    const failed = await streamOverHttp(adapter, req, t);
    assert.ok(!failed.ok);
    assert.deepEqual([failed.error.status, failed.error.type], [500, 'api_error']);
    const overloaded = await chatOverHttp(adapter, req, t);
    assert.ok(!overloaded.ok);
    assert.deepEqual([overloaded.error.status, overloaded.error.type, overloaded.error.message], [529, 'overloaded_error', 'Overloaded']);
    for (const e of [wrongKey.error, limited.error, failed.error, overloaded.error]) assert.ok(!JSON.stringify(e).includes(KEY));
  });

  test('an error inside a 200, a mid-stream error event, a cut stream', async () => {
    fake.enqueue({ errorInside200: { message: 'overloaded', type: 'overloaded_error' } });
    const inside = await chatOverHttp(adapter, req, t);
    assert.ok(inside.ok && 'status' in inside.value);
    assert.deepEqual([inside.value.status, inside.value.message, inside.value.type], [200, 'overloaded', 'overloaded_error']);
    assert.match(inside.value.requestId!, /^req_fake/);
    assert.deepEqual(await midStreamErrorAndCut(adapter, req, t, fake, 'Overloaded'), { type: 'error', error: { status: 200, message: 'Overloaded', type: 'overloaded_error' } });
  });

  test('a provider that sends no usage: none comes out, whole or streamed', async () => {
    await noUsageWhenOmitted(adapter, req, t, fake);
  });
});
