import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chatOverHttp, streamOverHttp } from '../../../../test/ai/fakes/adapter-harness.ts';
import { startOpenAIFake } from '../../../../test/ai/fakes/openai.ts';
import type { FakeServer } from '../../../../test/ai/fakes/server.ts';
import { chatRequest, decodeEveryWay, target } from '../common/testing.ts';
import type { ProviderTarget } from '../types.ts';
import { adapter } from './index.ts';

const compat = (over: Partial<ProviderTarget> = {}) => target('openai-compatible', { baseUrl: 'https://api.groq.com/openai/v1', model: 'llama-3.3-70b', ...over });

const calls: { name: string; t: ProviderTarget; stream: boolean; headers: Record<string, string | undefined>; body: Record<string, unknown>; absent: string[] }[] = [
  { name: 'with a key: Bearer', t: compat(), stream: false, headers: { authorization: 'Bearer sk-secret-key' }, body: { max_tokens: 5 }, absent: ['max_completion_tokens', 'stream_options'] },
  { name: 'without a key (a local vLLM): no authorization header', t: compat({ credentials: {} }), stream: false, headers: { authorization: undefined }, body: {}, absent: [] },
  { name: 'streaming asks for usage by default', t: compat(), stream: true, headers: {}, body: { stream: true, stream_options: { include_usage: true } }, absent: [] },
  { name: "streamUsage 'false' for servers that refuse stream_options", t: compat({ options: { streamUsage: 'false' } }), stream: true, headers: {}, body: { stream: true }, absent: ['stream_options'] },
];
for (const c of calls) {
  test(`call: ${c.name}`, async () => {
    const call = await adapter.chat.call(chatRequest({ stream: c.stream, maxOutputTokens: 5 }), c.t);
    assert.equal(call.url, 'https://api.groq.com/openai/v1/chat/completions');
    for (const [k, v] of Object.entries(c.headers)) assert.equal(call.headers[k], v, k);
    const body = JSON.parse(String(call.body));
    assert.equal(body.model, 'llama-3.3-70b');
    for (const [k, v] of Object.entries(c.body)) assert.deepEqual(body[k], v, k);
    for (const k of c.absent) assert.equal(k in body, false, `${k} not sent`);
  });
}

test('no default base URL; the key is optional', () => {
  assert.equal(adapter.defaultBaseUrl, undefined);
  assert.deepEqual(adapter.credentials, { required: [], optional: ['apiKey'] });
});

const enc = (s: string) => new TextEncoder().encode(s);
const chunk = (delta: object, finish: string | null, extra: object = {}) => `data: ${JSON.stringify({ id: 'c1', model: 'mistral-small', choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`;
const streams = [
  {
    name: 'usage in the finishing chunk and no [DONE] (Mistral): a normal end',
    sse: chunk({ content: 'Bonjour' }, null) + chunk({}, 'stop', { usage: { prompt_tokens: 6, completion_tokens: 2, total_tokens: 8 } }),
    tail: [{ type: 'finish', reason: 'stop' }, { type: 'usage', usage: { inputTokens: 6, outputTokens: 2 } }],
  },
  { name: 'no usage at all: none made up', sse: chunk({ content: 'Bonjour' }, null) + chunk({}, 'stop') + 'data: [DONE]\n\n', tail: [{ type: 'text', text: 'Bonjour' }, { type: 'finish', reason: 'stop' }] },
  {
    name: 'cut before the finish: an error naming the server',
    sse: chunk({ content: 'Bonjour' }, null),
    tail: [{ type: 'text', text: 'Bonjour' }, { type: 'error', error: { status: 200, type: 'stream_cut', message: "the OpenAI-compatible server's stream ended before its end marker (connection closed mid-answer)" } }],
  },
];
for (const s of streams) {
  test(`stream: ${s.name}`, () => {
    const events = decodeEveryWay(() => adapter.chat.stream(), enc(s.sse));
    assert.deepEqual(events.slice(-s.tail.length), s.tail);
  });
}

describe('compatible adapter against the fake as a compatible server', () => {
  let fake: FakeServer;
  before(async () => {
    fake = await startOpenAIFake({ prefix: '/openai/v1', compatible: { rejectStreamOptions: true, noDone: true } });
  });
  after(() => fake.close());

  test('non-streamed, without a key', async () => {
    fake.enqueue({ text: 'Hi there', usage: { input: 3, output: 2 } });
    const out = await chatOverHttp(adapter, chatRequest({ maxOutputTokens: 9 }), compat({ baseUrl: fake.url, credentials: {} }));
    assert.ok(out.ok && 'parts' in out.value);
    assert.deepEqual(out.value.parts, [{ type: 'text', text: 'Hi there' }]);
    const call = fake.calls.at(-1)!;
    assert.equal(call.headers.authorization, undefined);
    assert.equal((call.body as { max_tokens: number }).max_tokens, 9);
  });

  test("a server that refuses stream_options: a 400 in vLLM's envelope; with streamUsage 'false' the stream works, with no usage and no [DONE]", async () => {
    const refused = await streamOverHttp(adapter, chatRequest(), compat({ baseUrl: fake.url }));
    assert.ok(!refused.ok);
    assert.equal(refused.status, 400);
    assert.equal(refused.error.type, 'BadRequestError');
    assert.match(refused.error.message, /stream_options/);
    fake.enqueue({ text: 'Streamed reply' });
    const out = await streamOverHttp(adapter, chatRequest(), compat({ baseUrl: fake.url, options: { streamUsage: 'false' } }));
    assert.ok(out.ok);
    assert.equal(out.value.map((e) => (e.type === 'text' ? e.text : '')).join(''), 'Streamed reply');
    assert.deepEqual(out.value.at(-1), { type: 'finish', reason: 'stop' });
    assert.equal(out.value.some((e) => e.type === 'usage' || e.type === 'error'), false);
  });

  test('a stream cut before its finish is an error even without [DONE]', async () => {
    fake.enqueue({ text: 'abcdefgh', cutAfterChunks: 1 });
    const out = await streamOverHttp(adapter, chatRequest(), compat({ baseUrl: fake.url, options: { streamUsage: 'false' } }));
    assert.ok(out.ok);
    const last = out.value.at(-1)!;
    assert.ok(last.type === 'error' && last.error.type === 'stream_cut');
  });
});
