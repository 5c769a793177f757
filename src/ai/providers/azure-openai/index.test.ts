import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chatOverHttp, embeddingsOverHttp, streamOverHttp } from '../../../../test/ai/fakes/adapter-harness.ts';
import { startOpenAIFake } from '../../../../test/ai/fakes/openai.ts';
import type { FakeServer } from '../../../../test/ai/fakes/server.ts';
import type { StreamEvent } from '../../types.ts';
import { chatRequest, decodeEveryWay, target } from '../common/testing.ts';
import type { ProviderTarget } from '../types.ts';
import { adapter } from './index.ts';

const azure = (over: Partial<ProviderTarget> = {}) => target('azure-openai', { baseUrl: 'https://res.openai.azure.com', model: 'gpt4o-prod', credentials: { apiKey: 'azure-secret' }, ...over });

const urls: { name: string; t: ProviderTarget; chat: string; embeddings: string }[] = [
  {
    name: 'default api-version',
    t: azure(),
    chat: 'https://res.openai.azure.com/openai/deployments/gpt4o-prod/chat/completions?api-version=2024-10-21',
    embeddings: 'https://res.openai.azure.com/openai/deployments/gpt4o-prod/embeddings?api-version=2024-10-21',
  },
  {
    name: 'the configured api-version, a deployment name that needs escaping',
    t: azure({ model: 'my deploy/1', options: { apiVersion: '2025-01-01-preview' } }),
    chat: 'https://res.openai.azure.com/openai/deployments/my%20deploy%2F1/chat/completions?api-version=2025-01-01-preview',
    embeddings: 'https://res.openai.azure.com/openai/deployments/my%20deploy%2F1/embeddings?api-version=2025-01-01-preview',
  },
];
for (const u of urls) {
  test(`URL: ${u.name}`, async () => {
    assert.equal((await adapter.chat.call(chatRequest(), u.t)).url, u.chat);
    assert.equal((await adapter.embeddings!.call({ model: 'a', input: ['x'] }, u.t)).url, u.embeddings);
  });
}

test('the key goes in api-key, never as a Bearer token; no default base URL; apiVersion is a known option', async () => {
  const call = await adapter.chat.call(chatRequest({ stream: true, maxOutputTokens: 10 }), azure());
  assert.equal(call.headers['api-key'], 'azure-secret');
  assert.equal(call.headers.authorization, undefined);
  const body = JSON.parse(String(call.body));
  assert.deepEqual([body.max_completion_tokens, body.stream_options], [10, { include_usage: true }]);
  assert.equal(adapter.defaultBaseUrl, undefined);
  assert.deepEqual(adapter.options, { apiVersion: '2024-10-21' });
  assert.deepEqual(adapter.credentials, { required: ['apiKey'] });
});

test("stream: Azure's prompt-filter chunk, a content_filter finish, and a cut named Azure OpenAI", () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  const chunk = (delta: object, finish: string | null) => `data: ${JSON.stringify({ id: 'c1', model: 'gpt-4o-2024-08-06', choices: [{ index: 0, delta, finish_reason: finish, content_filter_results: {} }] })}\n\n`;
  const filter = `data: ${JSON.stringify({ choices: [], created: 0, id: '', model: '', object: '', prompt_filter_results: [] })}\n\n`;
  const full = decodeEveryWay(() => adapter.chat.stream(), enc(filter + chunk({ content: 'Hi' }, null) + chunk({}, 'content_filter') + 'data: [DONE]\n\n'));
  assert.deepEqual(full, [{ type: 'start', id: 'c1', model: 'gpt-4o-2024-08-06' }, { type: 'text', text: 'Hi' }, { type: 'finish', reason: 'content_filter' }] satisfies StreamEvent[]);
  const cut = decodeEveryWay(() => adapter.chat.stream(), enc(filter + chunk({ content: 'Hi' }, null)));
  assert.match(JSON.stringify(cut.at(-1)), /Azure OpenAI's stream ended before its end marker/);
});

describe('Azure adapter against the fake in Azure mode', () => {
  let fake: FakeServer;
  before(async () => {
    fake = await startOpenAIFake({ azure: true, apiKey: 'azure-secret' });
  });
  after(() => fake.close());

  test('non-streamed and streamed chat on the deployment', async () => {
    fake.enqueue({ text: 'Hello Azure', usage: { input: 4, output: 2 } }, { text: 'Streamed Azure', usage: { input: 4, output: 3 } });
    const t = azure({ baseUrl: fake.url });
    const whole = await chatOverHttp(adapter, chatRequest(), t);
    assert.ok(whole.ok && 'parts' in whole.value);
    assert.deepEqual([whole.value.parts, whole.value.usage], [[{ type: 'text', text: 'Hello Azure' }], { inputTokens: 4, outputTokens: 2, cachedInputTokens: 0, reasoningTokens: 0 }]);
    assert.equal(fake.calls.at(-1)!.url, '/openai/deployments/gpt4o-prod/chat/completions?api-version=2024-10-21');
    const streamed = await streamOverHttp(adapter, chatRequest(), t);
    assert.ok(streamed.ok);
    assert.equal(streamed.value[0].type, 'start');
    assert.equal(streamed.value.map((e) => (e.type === 'text' ? e.text : '')).join(''), 'Streamed Azure');
    assert.deepEqual(streamed.value.at(-1), { type: 'usage', usage: { inputTokens: 4, outputTokens: 3, cachedInputTokens: 0, reasoningTokens: 0 } });
  });

  test('embeddings on the deployment', async () => {
    const out = await embeddingsOverHttp(adapter, { model: 'a', input: ['x'] }, azure({ baseUrl: fake.url, model: 'embed-prod' }));
    assert.ok(out.ok && 'vectors' in out.value);
    assert.equal(out.value.vectors[0].length, 8);
    assert.equal(fake.calls.at(-1)!.path, '/openai/deployments/embed-prod/embeddings');
  });

  test('a wrong key is 401 in Azure\'s envelope; a 429 carries Retry-After and the apim request id', async () => {
    const denied = await chatOverHttp(adapter, chatRequest(), azure({ baseUrl: fake.url, credentials: { apiKey: 'nope' } }));
    assert.ok(!denied.ok);
    assert.deepEqual([denied.status, denied.error.type], [401, '401']);
    assert.match(denied.error.message, /Access denied/);
    fake.enqueue({ status: 429, retryAfterS: 4, error: { message: 'Requests have exceeded the token rate limit.' } });
    const limited = await streamOverHttp(adapter, chatRequest(), azure({ baseUrl: fake.url }));
    assert.ok(!limited.ok);
    assert.deepEqual([limited.status, limited.error.retryAfterS, limited.error.type], [429, 4, '429']);
    assert.match(limited.error.requestId ?? '', /^req_fake/);
  });
});
