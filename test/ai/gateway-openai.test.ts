// The AI gateway end to end through the official openai SDK: a real gateway, real API keys,
// fake providers speaking their real wire formats. Answers, streams, usage in the call log,
// fallbacks, and every refusal as the SDK's typed error with the Pinpoint code.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { OPENAI_SECRET, openaiRefusal, startAiWorld, type AiWorld } from './gateway-world.ts';

let w: AiWorld;
let key: string;
let client: OpenAI;

before(async () => {
  w = await startAiWorld();
  key = await w.key();
  client = new OpenAI({ apiKey: key, baseURL: w.gw.url + '/v1', maxRetries: 0 });
});
after(() => w.close());

const ask = (content: string, extra: Partial<OpenAI.Chat.ChatCompletionCreateParamsNonStreaming> = {}) =>
  ({ model: 'gpt', messages: [{ role: 'user' as const, content }], max_tokens: 50, ...extra });

const refusal = openaiRefusal;

describe('answers', () => {
  test('a chat call: the provider model answers under the alias; the gateway key stays here, the provider key goes there; usage and cost are logged', async () => {
    w.openai.enqueue({ text: 'Four.', usage: { input: 12, output: 3 } });
    const { data, response } = await client.chat.completions.create(ask('2+2?')).withResponse();
    assert.equal(data.choices[0].message.content, 'Four.');
    assert.equal(data.model, 'gpt');
    assert.equal(data.usage?.prompt_tokens, 12);
    assert.deepEqual([data.usage?.prompt_tokens_details?.cached_tokens, data.usage?.completion_tokens_details?.audio_tokens, data.service_tier], [0, 0, null]);
    const sent = w.openai.calls.at(-1)!;
    assert.equal(sent.headers.authorization, `Bearer ${OPENAI_SECRET}`);
    assert.equal((sent.body as { model: string }).model, 'gpt-4o-mini');
    assert.ok(!JSON.stringify(sent.headers).includes(key), 'the gateway key is not forwarded');
    const call = await w.logged(response);
    assert.equal(call.outcome, 'allow');
    assert.equal(call.ai?.alias, 'gpt');
    assert.equal(call.ai?.provider, 'openai');
    assert.equal(call.ai?.model, 'gpt-4o-mini');
    assert.deepEqual([call.ai?.usage?.inputTokens, call.ai?.usage?.outputTokens, call.ai?.usage?.estimated], [12, 3, undefined]);
    assert.ok(call.ai!.costUsd! > 0, 'priced from the price table');
    assert.ok(!JSON.stringify(call).includes(OPENAI_SECRET));
  });

  test('a streamed call with include_usage: content chunks, then the usage chunk; time to first token is logged', async () => {
    w.openai.enqueue({ text: 'Streaming works fine.', usage: { input: 9, output: 5 } });
    const stream = await client.chat.completions.create({ ...ask('stream?'), stream: true, stream_options: { include_usage: true } });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    assert.equal(text, 'Streaming works fine.');
    assert.equal(usage?.completion_tokens, 5);
    const id = w.openai.calls.length;
    assert.ok(id > 0);
    const rows = (await w.gw.reader()).list({ route: 'openai-api', limit: 1 });
    assert.equal(rows[0].ai?.stream, true);
    assert.ok(rows[0].ai!.ttftMs! > 0);
    assert.deepEqual([rows[0].ai?.usage?.inputTokens, rows[0].ai?.usage?.outputTokens], [9, 5]);
  });

  test('a provider that sends no usage: the gateway counts and marks the figures estimated, and the client gets them', async () => {
    w.openai.enqueue({ text: 'No usage here.', omitUsage: true });
    const { data, response } = await client.chat.completions.create(ask('count yourself')).withResponse();
    const call = await w.logged(response);
    assert.equal(call.ai?.usage?.estimated, true);
    assert.ok(call.ai!.usage!.outputTokens > 0);
    assert.deepEqual([data.usage?.prompt_tokens, data.usage?.completion_tokens], [call.ai!.usage!.inputTokens, call.ai!.usage!.outputTokens]);
  });

  test('embeddings through an embeddings alias', async () => {
    const res = await client.embeddings.create({ model: 'embed', input: ['a', 'b'] });
    assert.equal(res.data.length, 2);
    assert.equal(res.model, 'embed');
  });
});

describe('the Responses API', () => {
  test('a response and a streamed one: output, usage details, and the members a stateless gateway states (not stored, no previous response, completed_at)', async () => {
    w.openai.enqueue({ text: 'Short answer.', usage: { input: 11, output: 3, cached: 4 } }, { text: 'Streamed answer.', usage: { input: 11, output: 3 } });
    const r = await client.responses.create({ model: 'gpt', input: 'Hi', max_output_tokens: 50 });
    assert.equal(r.output_text, 'Short answer.');
    assert.equal(r.model, 'gpt');
    assert.deepEqual(r.usage?.input_tokens_details, { cached_tokens: 4, cache_write_tokens: 0 });
    assert.deepEqual([r.previous_response_id, r.background, r.parallel_tool_calls, r.truncation, r.service_tier], [null, false, true, 'disabled', null]);
    assert.ok(typeof r.completed_at === 'number' && r.completed_at >= r.created_at);
    const final = await client.responses.stream({ model: 'gpt', input: 'Hi', max_output_tokens: 50 }).finalResponse();
    assert.equal(final.output_text, 'Streamed answer.');
    assert.equal(final.status, 'completed');
  });

  // Serving hands the parsed call's echo (ParsedCall.echo) to rendering (RenderContext.echo), whole and streamed.
  test('the response echoes the request: instructions, sampling, limits, tools, text.format, metadata', async () => {
    w.openai.enqueue({ text: '{}' }, { text: '{}' });
    const params = {
      model: 'gpt',
      input: 'Hi',
      instructions: 'Answer in JSON.',
      temperature: 0.2,
      max_output_tokens: 40,
      tools: [{ type: 'function' as const, name: 'lookup', parameters: { type: 'object' }, strict: false }],
      text: { format: { type: 'json_object' as const } },
      metadata: { ticket: 'T-9' },
    };
    for (const r of [await client.responses.create(params), await client.responses.stream(params).finalResponse()]) {
      assert.equal(r.instructions, 'Answer in JSON.');
      assert.deepEqual([r.temperature, r.max_output_tokens, r.top_p], [0.2, 40, null]);
      assert.deepEqual(r.tools.map((t) => t.type === 'function' && t.name), ['lookup']);
      assert.deepEqual([r.text?.format, r.metadata], [{ type: 'json_object' }, { ticket: 'T-9' }]);
    }
  });
});

describe('fallbacks', () => {
  test('a 429 of the first provider moves the call to the fallback before anything was sent; both hops are logged', async () => {
    w.openai.enqueue({ status: 429, retryAfterS: 7, error: { message: 'Rate limit reached', type: 'rate_limit_exceeded' } });
    w.backup.enqueue({ text: 'From the backup.' });
    const { data, response } = await client.chat.completions.create(ask('hi', { model: 'gpt-fb' })).withResponse();
    assert.equal(data.choices[0].message.content, 'From the backup.');
    const call = await w.logged(response);
    assert.deepEqual(call.ai?.hops.map((h) => [h.provider, h.outcome, h.status]), [['openai', 'rate_limited', 429], ['backup', 'ok', 200]]);
    assert.equal(call.ai?.provider, 'backup');
  });

  test('a provider that refuses the gateway key (401): 502 ai.provider_refused, with the provider status; never the key it quoted', async () => {
    w.openai.enqueue({ status: 401, error: { message: `Incorrect API key provided: ${OPENAI_SECRET.slice(0, 8)}****${OPENAI_SECRET.slice(-4)}`, type: 'invalid_request_error' } });
    const err = await refusal(client.chat.completions.create(ask('hi', { model: 'gpt-fb' })));
    assert.equal(err.status, 502);
    assert.equal(err.code, 'ai.provider_refused');
    assert.equal((err.error as { pinpoint?: { provider_status?: number } }).pinpoint?.provider_status, 401);
    assert.ok(!JSON.stringify(err.error).includes(OPENAI_SECRET.slice(-4)));
    const call = await w.logged(err.requestID!);
    assert.equal(call.code, 'ai.provider_refused');
    assert.equal(call.ai?.hops[0].status, 401);
    assert.ok(!JSON.stringify(call).includes(OPENAI_SECRET.slice(-4)), 'the log has the provider message with the key cut out');
  });

  test('a 429 that every hop gives: 429 ai.provider_rate_limited with the provider Retry-After', async () => {
    w.openai.enqueue({ status: 429, retryAfterS: 3 });
    w.backup.enqueue({ status: 429, retryAfterS: 5 });
    const err = await refusal(client.chat.completions.create(ask('hi', { model: 'gpt-fb' })));
    assert.equal(err.status, 429);
    assert.equal(err.code, 'ai.provider_rate_limited');
    assert.equal(err.headers?.get('retry-after'), '5');
  });

  test('a stream that fails after content was sent is not retried: the SDK iteration throws, the log says stream_interrupted', async () => {
    w.openai.enqueue({ text: 'Partial answer that breaks', midStreamError: { afterChunks: 2, message: 'server overloaded' } });
    const before = w.backup.calls.length;
    const stream = await client.chat.completions.create({ ...ask('long'), stream: true });
    let text = '';
    await assert.rejects(async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    });
    assert.ok(text.length > 0);
    assert.equal(w.backup.calls.length, before, 'no fallback once the stream started');
    const rows = (await w.gw.reader()).list({ route: 'openai-api', limit: 1 });
    assert.equal(rows[0].code, 'ai.stream_interrupted');
  });
});

describe('a stream the provider cuts', () => {
  test('before any content: the call falls back; after content: the SDK stream fails and the log keeps the usage so far', async () => {
    w.openai.enqueue({ text: 'Cut right away', cutAfterChunks: 0 });
    w.backup.enqueue({ text: 'Backup streamed.' });
    const first = await client.chat.completions.create({ ...ask('cut', { model: 'gpt-cut' }), stream: true });
    let text = '';
    for await (const chunk of first) text += chunk.choices[0]?.delta?.content ?? '';
    assert.equal(text, 'Backup streamed.');

    // Spaced chunks, so the content is read before the cut (a cut can discard what arrives with it).
    w.openai.enqueue({ text: 'A longer answer that is cut in the middle', cutAfterChunks: 3, chunkDelayMs: 30 });
    const second = await client.chat.completions.create({ ...ask('cut later'), stream: true });
    let got = '';
    await assert.rejects(async () => {
      for await (const chunk of second) got += chunk.choices[0]?.delta?.content ?? '';
    });
    assert.ok(got.length > 0 && got.length < 'A longer answer that is cut in the middle'.length);
    const rows = (await w.gw.reader()).list({ route: 'openai-api', limit: 1 });
    assert.equal(rows[0].code, 'ai.stream_interrupted');
    assert.equal(rows[0].ai?.usage?.estimated, true);
    assert.ok(rows[0].ai!.usage!.outputTokens > 0);
  });
});

describe('refusals in the SDK envelope', () => {
  test('no key: AuthenticationError with the authn code', async () => {
    const anon = new OpenAI({ apiKey: 'not-a-pinpoint-key', baseURL: w.gw.url + '/v1', maxRetries: 0 });
    const err = await refusal(anon.chat.completions.create(ask('hi')));
    assert.ok(err instanceof OpenAI.AuthenticationError);
    assert.match(String(err.code), /^authn\./);
    assert.ok(err.requestID);
  });

  test('an unknown model: NotFoundError ai.model_unknown', async () => {
    const err = await refusal(client.chat.completions.create({ ...ask('hi'), model: 'gpt-7' }));
    assert.ok(err instanceof OpenAI.NotFoundError);
    assert.equal(err.code, 'ai.model_unknown');
  });

  test('a model not allowed for the tenant: PermissionDeniedError ai.model_not_allowed, without the list', async () => {
    const small = new OpenAI({ apiKey: await w.key('small-app'), baseURL: w.gw.url + '/v1', maxRetries: 0 });
    const err = await refusal(small.embeddings.create({ model: 'embed', input: 'x' }));
    assert.ok(err instanceof OpenAI.PermissionDeniedError);
    assert.equal(err.code, 'ai.model_not_allowed');
    assert.ok(!JSON.stringify(err.error).includes('"gpt"'), 'the allowed list is not disclosed');
  });

  test('a prompt over the context window: BadRequestError ai.context_too_long with the numbers, before any call', async () => {
    const calls = w.openai.calls.length;
    const err = await refusal(client.chat.completions.create(ask('word '.repeat(3000))));
    assert.ok(err instanceof OpenAI.BadRequestError);
    assert.equal(err.code, 'ai.context_too_long');
    assert.match(err.message, /2000/);
    assert.equal(w.openai.calls.length, calls);
  });

  test('a malformed call: BadRequestError ai.request_invalid naming the field', async () => {
    const err = await refusal(client.chat.completions.create({ model: 'gpt', messages: [{ role: 'user', content: 42 as unknown as string }] }));
    assert.ok(err instanceof OpenAI.BadRequestError);
    assert.equal(err.code, 'ai.request_invalid');
    assert.match(String(err.param ?? err.message), /messages/);
  });

  test('the token budget of the key: 429 ai.token_rate_exceeded with which budget, the limit, use and Retry-After', async () => {
    const tight = new OpenAI({ apiKey: await w.key('acme-two'), baseURL: w.gw.url + '/v1', maxRetries: 0 });
    // Each call reserves prompt + 1000 (its max_tokens) of the key's 3000 per minute.
    w.openai.enqueue({ usage: { input: 5, output: 1000 } }, { usage: { input: 5, output: 1000 } });
    await tight.chat.completions.create(ask('one', { max_tokens: 1000 }));
    await tight.chat.completions.create(ask('two', { max_tokens: 1000 }));
    const err = await refusal(tight.chat.completions.create(ask('three', { max_tokens: 1000 })));
    assert.ok(err instanceof OpenAI.RateLimitError, `${err.status} ${err.code} ${err.message}`);
    assert.equal(err.code, 'ai.token_rate_exceeded');
    assert.ok(Number(err.headers?.get('retry-after')) > 0);
    assert.match(JSON.stringify(err.error), /key-tokens/);
  });
});
