/**
 * The OpenAI fake is faithful: the official `openai` SDK, pointed at it with baseURL only,
 * works for chat (whole and streamed), embeddings and Azure deployments, and surfaces the
 * fake's errors as its own typed errors.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI, { AzureOpenAI } from 'openai';
import { startOpenAIFake } from './openai.ts';
import { type FakeServer, madeUpVector } from './server.ts';

const KEY = 'sk-test-0123456789abcdef';

describe('OpenAI fake through the openai SDK', () => {
  let fake: FakeServer;
  let client: OpenAI;
  before(async () => {
    fake = await startOpenAIFake({ apiKey: KEY });
    client = new OpenAI({ apiKey: KEY, baseURL: fake.url, maxRetries: 0 });
  });
  after(() => fake.close());

  test('chat, not streamed: text, usage with cached and reasoning tokens, the key as Bearer', async () => {
    fake.enqueue({ text: 'Bonjour à tous', usage: { input: 20, output: 5, cached: 8, reasoning: 2 } });
    const before = fake.calls.length;
    const res = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], max_completion_tokens: 50 });
    assert.equal(res.choices[0].message.content, 'Bonjour à tous');
    assert.equal(res.choices[0].finish_reason, 'stop');
    assert.equal(res.model, 'gpt-4o-mini');
    assert.equal(res.usage?.prompt_tokens, 20);
    assert.equal(res.usage?.prompt_tokens_details?.cached_tokens, 8);
    assert.equal(res.usage?.completion_tokens_details?.reasoning_tokens, 2);
    assert.equal(res.usage?.total_tokens, 25);
    const call = fake.calls[before];
    assert.equal(call.path, '/v1/chat/completions');
    assert.equal(call.headers.authorization, `Bearer ${KEY}`);
    assert.equal((call.body as { max_completion_tokens: number }).max_completion_tokens, 50);
  });

  test('chat, streamed with include_usage: text in pieces, finish, then a usage chunk', async () => {
    fake.enqueue({ text: 'One two three four', usage: { input: 9, output: 4 } });
    const stream = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'count' }], stream: true, stream_options: { include_usage: true } });
    let text = '';
    const finishes: string[] = [];
    let usage: OpenAI.CompletionUsage | null | undefined;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.choices[0]?.finish_reason) finishes.push(chunk.choices[0].finish_reason);
      if (chunk.usage) usage = chunk.usage;
    }
    assert.equal(text, 'One two three four');
    assert.ok(chunks > 4, 'the text came in several chunks');
    assert.deepEqual(finishes, ['stop']);
    assert.equal(usage?.prompt_tokens, 9);
    assert.equal(usage?.completion_tokens, 4);
  });

  test('chat, streamed without include_usage: no usage chunk', async () => {
    const stream = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }], stream: true });
    for await (const chunk of stream) assert.equal(chunk.usage, undefined);
  });

  test('a tool call, whole and streamed as argument deltas', async () => {
    const toolCall = { id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius"}' };
    const tools: OpenAI.ChatCompletionTool[] = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }];
    fake.enqueue({ toolCall }, { toolCall });
    const whole = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'weather?' }], tools });
    assert.equal(whole.choices[0].finish_reason, 'tool_calls');
    const c = whole.choices[0].message.tool_calls?.[0];
    assert.ok(c && c.type === 'function');
    assert.deepEqual([c.id, c.function.name, c.function.arguments], [toolCall.id, toolCall.name, toolCall.arguments]);

    const stream = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'weather?' }], tools, stream: true });
    let args = '';
    let name = '';
    let deltas = 0;
    for await (const chunk of stream) {
      for (const d of chunk.choices[0]?.delta.tool_calls ?? []) {
        deltas++;
        args += d.function?.arguments ?? '';
        name ||= d.function?.name ?? '';
      }
    }
    assert.equal(args, toolCall.arguments);
    assert.equal(name, 'get_weather');
    assert.ok(deltas > 1, 'arguments came in several deltas');
  });

  test('embeddings: the SDK asks for base64 and decodes the floats; float when asked', async () => {
    const res = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'], dimensions: 4 });
    assert.equal(fake.calls.at(-1)!.path, '/v1/embeddings');
    assert.equal((fake.calls.at(-1)!.body as { encoding_format: string }).encoding_format, 'base64');
    assert.deepEqual(res.data.map((d) => d.embedding), [madeUpVector('a', 4), madeUpVector('b', 4)]);
    assert.ok(res.usage.prompt_tokens > 0);
    const floats = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'a', encoding_format: 'float' });
    assert.deepEqual(floats.data[0].embedding, madeUpVector('a', 8));
  });

  test('a wrong key is an AuthenticationError with code invalid_api_key and the request id', async () => {
    const bad = new OpenAI({ apiKey: 'sk-wrong-key-000000000000', baseURL: fake.url, maxRetries: 0 });
    const err = await bad.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    assert.ok(err instanceof OpenAI.AuthenticationError, String(err));
    assert.equal(err.status, 401);
    assert.equal(err.code, 'invalid_api_key');
    assert.match(err.message, /Incorrect API key provided: sk-wrong\*+0000/);
    assert.match(err.requestID ?? '', /^req_fake/);
  });

  const refusals = [
    { status: 429, retryAfterS: 7, type: undefined, cls: OpenAI.RateLimitError, code: 'rate_limit_exceeded' },
    { status: 429, retryAfterS: undefined, type: 'insufficient_quota', cls: OpenAI.RateLimitError, code: 'insufficient_quota' },
    { status: 403, retryAfterS: undefined, type: undefined, cls: OpenAI.PermissionDeniedError, code: 'unsupported_country_region_territory' },
    { status: 404, retryAfterS: undefined, type: undefined, cls: OpenAI.NotFoundError, code: 'model_not_found' },
    { status: 500, retryAfterS: undefined, type: undefined, cls: OpenAI.InternalServerError, code: null },
  ];
  for (const r of refusals) {
    test(`a scripted ${r.status}${r.type ? ` ${r.type}` : ''} is the SDK's ${r.cls.name}`, async () => {
      fake.enqueue({ status: r.status, error: { message: `scripted ${r.status}`, type: r.type }, retryAfterS: r.retryAfterS });
      const err = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
      assert.ok(err instanceof r.cls, String(err));
      assert.equal((err as InstanceType<typeof OpenAI.APIError>).code, r.code);
      assert.match((err as Error).message, new RegExp(`scripted ${r.status}`));
      const headers = (err as InstanceType<typeof OpenAI.APIError>).headers;
      assert.equal(headers?.get('retry-after') ?? undefined, r.retryAfterS?.toString());
    });
  }

  test('an error event mid-stream is thrown by the SDK as an APIError after the first chunks', async () => {
    fake.enqueue({ text: 'abcdefghijkl', midStreamError: { afterChunks: 2, message: 'The server had an error while processing your request.' } });
    const stream = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }], stream: true });
    let text = '';
    const err = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    })().catch((e: unknown) => e);
    assert.equal(text, 'abcdefgh');
    assert.ok(err instanceof OpenAI.APIError, String(err));
    assert.match(err.message, /server had an error/);
  });

  test('an error inside a streamed 200 is an APIError; a cut stream fails the iteration', async () => {
    fake.enqueue({ errorInside200: { message: 'overloaded', type: 'server_error' } }, { text: 'abcdefgh', cutAfterChunks: 1 });
    const first = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }], stream: true });
    await assert.rejects(async () => {
      for await (const _ of first);
    }, (e: unknown) => e instanceof OpenAI.APIError && /overloaded/.test(e.message));
    const cut = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }], stream: true });
    let text = '';
    await assert.rejects(async () => {
      for await (const chunk of cut) text += chunk.choices[0]?.delta.content ?? '';
    });
    assert.equal(text, 'abcd');
  });
});

describe('Azure mode through the SDK\'s AzureOpenAI client', () => {
  let fake: FakeServer;
  let client: AzureOpenAI;
  before(async () => {
    fake = await startOpenAIFake({ azure: true, apiKey: 'azure-key-1' });
    client = new AzureOpenAI({ endpoint: fake.url, apiKey: 'azure-key-1', apiVersion: '2024-10-21', maxRetries: 0 });
  });
  after(() => fake.close());

  test('chat on the deployment path with api-version and the api-key header, whole and streamed', async () => {
    fake.enqueue({ text: 'Hi from Azure', usage: { input: 3, output: 3 } });
    const res = await client.chat.completions.create({ model: 'my-gpt4o', messages: [{ role: 'user', content: 'x' }] });
    assert.equal(res.choices[0].message.content, 'Hi from Azure');
    const call = fake.calls.at(-1)!;
    assert.equal(call.url, '/openai/deployments/my-gpt4o/chat/completions?api-version=2024-10-21');
    assert.equal(call.headers['api-key'], 'azure-key-1');
    assert.equal(call.headers.authorization, undefined);

    const stream = await client.chat.completions.create({ model: 'my-gpt4o', messages: [{ role: 'user', content: 'x' }], stream: true, stream_options: { include_usage: true } });
    let text = '';
    let sawFilterChunk = false;
    for await (const chunk of stream) {
      if (chunk.id === '' && chunk.choices.length === 0) sawFilterChunk = true;
      text += chunk.choices[0]?.delta.content ?? '';
    }
    assert.equal(text, 'Hello from OpenAI.');
    assert.ok(sawFilterChunk, "Azure's prompt-filter chunk opens the stream");
  });

  test('embeddings on the deployment path', async () => {
    const res = await client.embeddings.create({ model: 'my-embedder', input: 'x' });
    assert.equal(fake.calls.at(-1)!.path, '/openai/deployments/my-embedder/embeddings');
    assert.deepEqual(res.data[0].embedding, madeUpVector('x', 8));
  });

  test('a wrong api-key is an AuthenticationError with code 401; a 429 a RateLimitError with retry-after-ms', async () => {
    const bad = new AzureOpenAI({ endpoint: fake.url, apiKey: 'wrong', apiVersion: '2024-10-21', maxRetries: 0 });
    const err = await bad.chat.completions.create({ model: 'd', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    assert.ok(err instanceof OpenAI.AuthenticationError, String(err));
    assert.equal(err.code, '401');
    assert.match(err.message, /Access denied/);
    fake.enqueue({ status: 429, retryAfterS: 2, error: { message: 'Please retry after 2 seconds.' } });
    const limited = await client.chat.completions.create({ model: 'd', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    assert.ok(limited instanceof OpenAI.RateLimitError, String(limited));
    assert.equal(limited.headers?.get('retry-after-ms'), '2000');
    assert.ok(limited.headers?.get('apim-request-id'));
  });

  test('a call without api-version is 404 Resource not found', async () => {
    const plain = new OpenAI({ apiKey: 'azure-key-1', baseURL: `${fake.url}/openai/deployments/d`, maxRetries: 0, defaultHeaders: { 'api-key': 'azure-key-1' } });
    const err = await plain.chat.completions.create({ model: 'd', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    assert.ok(err instanceof OpenAI.NotFoundError, String(err));
    assert.match(err.message, /Resource not found/);
  });
});

describe('OpenAI-compatible mode', () => {
  test('a server that refuses stream_options answers 400 in vLLM\'s shape; without it the stream works, [DONE] or not', async () => {
    const fake = await startOpenAIFake({ prefix: '/openai/v1', compatible: { rejectStreamOptions: true, noDone: true } });
    try {
      const client = new OpenAI({ apiKey: 'none', baseURL: fake.url, maxRetries: 0 });
      const err = await client.chat.completions.create({ model: 'llama', messages: [{ role: 'user', content: 'x' }], stream: true, stream_options: { include_usage: true } }).catch((e: unknown) => e);
      assert.ok(err instanceof OpenAI.BadRequestError, String(err));
      assert.match(err.message, /stream_options/);
      const stream = await client.chat.completions.create({ model: 'llama', messages: [{ role: 'user', content: 'x' }], stream: true });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      assert.equal(text, 'Hello from OpenAI.');
      assert.equal(fake.calls.at(-1)!.path, '/openai/v1/chat/completions');
    } finally {
      await fake.close();
    }
  });
});
