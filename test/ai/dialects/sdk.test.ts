/**
 * The official SDKs against the dialects: each call goes through the SDK to a local server
 * that parses it with the dialect and answers with the dialect's rendering, so the SDK's own
 * request bodies must parse and everything rendered (answers, streams, usage, embeddings,
 * errors) must come out of the SDK as its typed objects and errors.
 */
import Anthropic from '@anthropic-ai/sdk';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import type { AiError } from '../../../src/ai/dialects/types.ts';
import type { ChatResponse, StreamEvent, Usage } from '../../../src/ai/types.ts';
import { CREATED, REQUEST_ID, startDialectServer, type DialectServer } from './dialect-server.ts';

const usage: Usage = { inputTokens: 120, outputTokens: 30, cachedInputTokens: 100, reasoningTokens: 12 };

const textAnswer: ChatResponse = { id: 'chatcmpl-abc', model: 'gpt-4o-2024-08-06', parts: [{ type: 'text', text: 'Hello there.' }], finishReason: 'stop', usage };
const toolAnswer: ChatResponse = {
  id: 'chatcmpl-def',
  model: 'gpt-4o',
  parts: [
    { type: 'tool_call', id: 'call_a', name: 'weather', arguments: '{"city":"Paris"}' },
    { type: 'tool_call', id: 'call_b', name: 'weather', arguments: '{"city":"Rome"}' },
  ],
  finishReason: 'tool_calls',
  usage: { inputTokens: 50, outputTokens: 20 },
};

const streamed: StreamEvent[] = [
  { type: 'start', id: 'chatcmpl-s1', model: 'gpt-4o' },
  { type: 'text', text: 'Let me ' },
  { type: 'text', text: 'check.' },
  { type: 'tool_call', index: 0, id: 'call_a', name: 'weather', argumentsDelta: '' },
  { type: 'tool_call', index: 0, argumentsDelta: '{"city":' },
  { type: 'tool_call', index: 0, argumentsDelta: '"Paris"}' },
  { type: 'finish', reason: 'tool_calls' },
  { type: 'usage', usage },
];

const textStream: StreamEvent[] = [
  { type: 'start', id: 'chatcmpl-s2', model: 'gpt-4o' },
  { type: 'text', text: 'Hel' },
  { type: 'text', text: 'lo.' },
  { type: 'finish', reason: 'stop' },
  { type: 'usage', usage },
];

const interrupted = (events: StreamEvent[]) => ({
  stream: events,
  failWith: { error: { status: 502, code: 'ai.stream_interrupted', message: 'The provider\'s stream failed after it had started.', requestId: REQUEST_ID, details: { provider_status: 500 } }, usage: { inputTokens: 120, outputTokens: 2 } },
});

const budgetDetails = { budget: 'tenant', limit_usd: 100, used_usd: 100.5, resets_at: '2027-01-01T00:00:00Z', fix: 'Raise the tenant budget or wait for the reset.' };

describe('openai SDK', () => {
  let srv: DialectServer;
  let client: OpenAI;
  before(async () => {
    srv = await startDialectServer('openai');
    client = new OpenAI({ apiKey: 'pp_test_key', baseURL: `${srv.url}/v1`, maxRetries: 0 });
  });
  after(() => srv.close());

  test('chat: text with usage (cached and reasoning tokens), the alias as model, the request id', async () => {
    srv.script({ answer: textAnswer });
    const c = await client.chat.completions.create({ model: 'fast', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }], max_completion_tokens: 64, temperature: 0.2 });
    assert.equal(c.choices[0]!.message.content, 'Hello there.');
    assert.equal(c.choices[0]!.finish_reason, 'stop');
    assert.equal(c.model, 'fast');
    assert.equal(c.created, CREATED);
    assert.equal(c.usage?.prompt_tokens, 120);
    assert.equal(c.usage?.prompt_tokens_details?.cached_tokens, 100);
    assert.equal(c.usage?.completion_tokens_details?.reasoning_tokens, 12);
    assert.deepEqual([c.usage?.prompt_tokens_details?.audio_tokens, c.usage?.completion_tokens_details?.audio_tokens, c.usage?.completion_tokens_details?.rejected_prediction_tokens], [0, 0, 0]);
    assert.equal(c.service_tier, null);
    assert.equal(c._request_id, REQUEST_ID);
    assert.deepEqual(srv.calls.at(-1)!.parsed, {
      operation: 'chat',
      request: { model: 'fast', messages: [{ role: 'system', parts: [{ type: 'text', text: 'Be brief.' }] }, { role: 'user', parts: [{ type: 'text', text: 'Hi' }] }], maxOutputTokens: 64, temperature: 0.2, stream: false },
    });
    assert.equal(srv.calls.at(-1)!.path, '/v1/chat/completions');
  });

  test('chat: tool calls in, tool calls out', async () => {
    srv.script({ answer: toolAnswer });
    const c = await client.chat.completions.create({
      model: 'fast',
      messages: [
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_0', type: 'function', function: { name: 'weather', arguments: '{"city":"Oslo"}' } }] },
        { role: 'tool', tool_call_id: 'call_0', content: '3C' },
      ],
      tools: [{ type: 'function', function: { name: 'weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
      tool_choice: 'auto',
    });
    const msg = c.choices[0]!.message;
    assert.equal(msg.content, null);
    assert.deepEqual(
      msg.tool_calls?.map((t) => (t.type === 'function' ? [t.id, t.function.name, t.function.arguments] : [])),
      [
        ['call_a', 'weather', '{"city":"Paris"}'],
        ['call_b', 'weather', '{"city":"Rome"}'],
      ],
    );
    assert.equal(c.choices[0]!.finish_reason, 'tool_calls');
    const parsed = srv.calls.at(-1)!.parsed!;
    assert.equal(parsed.operation, 'chat');
    assert.deepEqual(parsed.operation === 'chat' && parsed.request.messages.map((m) => m.role), ['user', 'assistant', 'tool']);
  });

  test('chat stream with include_usage: content and tool call deltas, then a usage chunk with empty choices', async () => {
    srv.script({ stream: streamed });
    const stream = await client.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'Hi' }], stream: true, stream_options: { include_usage: true } });
    let text = '';
    let args = '';
    let name = '';
    let finish: string | null = null;
    const usageChunks: OpenAI.CompletionUsage[] = [];
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      if (chunk.usage) {
        assert.equal(chunk.choices.length, 0);
        usageChunks.push(chunk.usage);
      }
      if (!choice) continue;
      text += choice.delta.content ?? '';
      for (const t of choice.delta.tool_calls ?? []) {
        name += t.function?.name ?? '';
        args += t.function?.arguments ?? '';
      }
      finish = choice.finish_reason ?? finish;
    }
    assert.equal(text, 'Let me check.');
    assert.equal(name, 'weather');
    assert.equal(args, '{"city":"Paris"}');
    assert.equal(finish, 'tool_calls');
    assert.equal(usageChunks.length, 1);
    assert.equal(usageChunks[0]!.total_tokens, 150);
    assert.equal(usageChunks[0]!.prompt_tokens_details?.cached_tokens, 100);
    const parsed = srv.calls.at(-1)!.parsed!;
    assert.ok(parsed.operation === 'chat' && parsed.includeUsage && parsed.request.stream);
  });

  test('chat stream without include_usage: no usage chunk', async () => {
    srv.script({ stream: textStream });
    const stream = await client.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'Hi' }], stream: true });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    assert.ok(chunks.length >= 4);
    assert.ok(chunks.every((c) => c.usage === undefined || c.usage === null));
    assert.equal(chunks.map((c) => c.choices[0]?.delta.content ?? '').join(''), 'Hello.');
  });

  test('chat stream helper (chat.completions.stream): the final completion holds the tool call and the usage', async () => {
    srv.script({ stream: streamed });
    const runner = client.chat.completions.stream({ model: 'fast', messages: [{ role: 'user', content: 'Hi' }], stream_options: { include_usage: true } });
    const deltas: string[] = [];
    runner.on('content', (d) => deltas.push(d));
    const final = await runner.finalChatCompletion();
    assert.deepEqual(deltas, ['Let me ', 'check.']);
    const msg = final.choices[0]!.message;
    assert.equal(msg.content, 'Let me check.');
    assert.equal(msg.tool_calls?.[0]?.type === 'function' && msg.tool_calls[0].function.arguments, '{"city":"Paris"}');
    assert.equal(final.usage?.completion_tokens, 30);
  });

  test('chat mid-stream error: iteration throws an APIError with the Pinpoint code, after the text that came', async () => {
    srv.script(interrupted(textStream.slice(0, 2)));
    const stream = await client.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'Hi' }], stream: true, stream_options: { include_usage: true } });
    let text = '';
    let sawUsage = false;
    await assert.rejects(
      async () => {
        for await (const chunk of stream) {
          text += chunk.choices[0]?.delta.content ?? '';
          if (chunk.usage) sawUsage = chunk.usage.completion_tokens === 2;
        }
      },
      (err: unknown) => {
        assert.ok(err instanceof OpenAI.APIError, String(err));
        assert.equal(err.code, 'ai.stream_interrupted');
        assert.equal(err.type, 'api_error');
        assert.equal(err.requestID, REQUEST_ID);
        assert.deepEqual((err.error as { pinpoint: unknown }).pinpoint, { provider_status: 500, request_id: REQUEST_ID });
        return true;
      },
    );
    assert.equal(text, 'Hel');
    assert.ok(sawUsage, 'the usage so far came before the error');
  });

  test('chat: a body the dialect refuses comes back as BadRequestError naming the parameter', async () => {
    await assert.rejects(
      client.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'Hi' }], n: 3 }),
      (err: unknown) => {
        assert.ok(err instanceof OpenAI.BadRequestError, String(err));
        assert.equal(err.code, 'ai.bad_request');
        assert.equal(err.param, 'n');
        assert.match(err.message, /n > 1 is not supported/);
        return true;
      },
    );
  });

  test('embeddings: the SDK\'s default base64 is decoded to the same floats; float on request', async () => {
    const vectors = [
      [0.5, -1.25, 3],
      [0, 0.25, -8],
    ];
    srv.script({ embeddings: { model: 'text-embedding-3-small', vectors, usage: { inputTokens: 6, outputTokens: 0 } } });
    const e = await client.embeddings.create({ model: 'emb', input: ['a', 'b'], dimensions: 3 });
    assert.deepEqual(
      e.data.map((d) => [...d.embedding]),
      vectors,
    );
    assert.equal(e.model, 'emb');
    assert.equal(e.usage.prompt_tokens, 6);
    assert.deepEqual(srv.calls.at(-1)!.parsed, { operation: 'embeddings', request: { model: 'emb', input: ['a', 'b'], dimensions: 3 }, encoding: 'base64' });

    srv.script({ embeddings: { model: 'm', vectors: [[0.1, 0.2]], usage: { inputTokens: 1, outputTokens: 0 } } });
    const f = await client.embeddings.create({ model: 'emb', input: 'a', encoding_format: 'float' });
    assert.deepEqual(f.data[0]!.embedding, [0.1, 0.2]);
  });

  test('responses: text and function calls as output items, usage with details, incomplete on max_output_tokens', async () => {
    srv.script({ answer: { ...toolAnswer, parts: [{ type: 'text', text: 'Checking.' }, ...toolAnswer.parts] } });
    const r = await client.responses.create({ model: 'fast', instructions: 'Be brief.', input: 'Weather in Paris and Rome?', tools: [{ type: 'function', name: 'weather', parameters: { type: 'object' }, strict: false }] });
    assert.equal(r.output_text, 'Checking.');
    assert.equal(r.status, 'completed');
    assert.deepEqual(
      r.output.filter((o) => o.type === 'function_call').map((o) => o.type === 'function_call' && [o.call_id, o.arguments]),
      [
        ['call_a', '{"city":"Paris"}'],
        ['call_b', '{"city":"Rome"}'],
      ],
    );
    assert.equal(r._request_id, REQUEST_ID);
    assert.equal(srv.calls.at(-1)!.path, '/v1/responses');
    // The request echoed as it was passed on; what it left out as the gateway applied it.
    assert.equal(r.instructions, 'Be brief.');
    assert.deepEqual(r.tools, [{ type: 'function', name: 'weather', description: null, parameters: { type: 'object' }, strict: false }]);
    assert.deepEqual([r.temperature, r.top_p, r.max_output_tokens, r.tool_choice, r.text?.format, r.metadata], [null, null, null, 'auto', { type: 'text' }, {}]);
    assert.deepEqual([r.parallel_tool_calls, r.previous_response_id, r.truncation, r.background], [true, null, 'disabled', false]);
    assert.ok(typeof r.completed_at === 'number' && r.completed_at >= r.created_at);
    assert.equal(r.usage?.input_tokens_details.cache_write_tokens, 0);

    srv.script({ answer: { ...textAnswer, finishReason: 'length' } });
    const cut = await client.responses.create({ model: 'fast', input: [{ role: 'user', content: [{ type: 'input_text', text: 'Tell a story' }] }], max_output_tokens: 16 });
    assert.equal(cut.status, 'incomplete');
    assert.equal(cut.incomplete_details?.reason, 'max_output_tokens');
    assert.equal(cut.max_output_tokens, 16);
    assert.equal(cut.completed_at, null);
    assert.equal(cut.usage?.input_tokens_details.cached_tokens, 100);
    assert.equal(cut.usage?.output_tokens_details.reasoning_tokens, 12);
  });

  test('responses: previous_response_id is refused as a BadRequestError naming it', async () => {
    await assert.rejects(client.responses.create({ model: 'fast', input: 'Hi', previous_response_id: 'resp_1' }), (err: unknown) => {
      assert.ok(err instanceof OpenAI.BadRequestError);
      assert.equal(err.param, 'previous_response_id');
      return true;
    });
  });

  test('responses stream (create with stream: true): the event sequence, ending in response.completed with usage', async () => {
    srv.script({ stream: streamed });
    const stream = await client.responses.create({ model: 'fast', input: 'Hi', stream: true });
    const types: string[] = [];
    let text = '';
    let completed: OpenAI.Responses.Response | undefined;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.output_text.delta') text += event.delta;
      if (event.type === 'response.completed') completed = event.response;
    }
    assert.equal(types[0], 'response.created');
    assert.ok(types.includes('response.function_call_arguments.done'));
    assert.equal(types.at(-1), 'response.completed');
    assert.equal(text, 'Let me check.');
    assert.equal(completed?.usage?.total_tokens, 150);
  });

  test('responses stream helper (responses.stream): deltas with snapshots and the final response', async () => {
    srv.script({ stream: streamed });
    const runner = client.responses.stream({ model: 'fast', input: 'Hi', temperature: 0.3, metadata: { ticket: 'T-7' }, text: { format: { type: 'json_object' } }, tool_choice: 'none' });
    const snapshots: string[] = [];
    runner.on('response.output_text.delta', (e) => snapshots.push(e.snapshot));
    const final = await runner.finalResponse();
    assert.deepEqual(snapshots, ['Let me ', 'Let me check.']);
    assert.equal(final.output_text, 'Let me check.');
    const call = final.output.find((o) => o.type === 'function_call');
    assert.equal(call?.type === 'function_call' && call.arguments, '{"city":"Paris"}');
    assert.equal(final.usage?.input_tokens, 120);
    assert.deepEqual([final.temperature, final.metadata, final.text?.format, final.tool_choice], [0.3, { ticket: 'T-7' }, { type: 'json_object' }, 'none'], 'the streamed response echoes the request too');
  });

  test('responses mid-stream error: iteration throws an APIError with the Pinpoint code, after response.failed', async () => {
    srv.script(interrupted(textStream.slice(0, 2)));
    const stream = await client.responses.create({ model: 'fast', input: 'Hi', stream: true });
    const types: string[] = [];
    let failed: OpenAI.Responses.Response | undefined;
    await assert.rejects(
      async () => {
        for await (const event of stream) {
          types.push(event.type);
          if (event.type === 'response.failed') failed = event.response;
        }
      },
      (err: unknown) => {
        assert.ok(err instanceof OpenAI.APIError, String(err));
        assert.equal(err.code, 'ai.stream_interrupted');
        assert.equal(err.requestID, REQUEST_ID);
        return true;
      },
    );
    assert.equal(types.at(-1), 'response.failed');
    assert.equal(failed?.error?.code, 'server_error', 'the API\'s own code on the response; the Pinpoint code is the APIError\'s');
  });

  test('responses stream helper: a mid-stream error rejects finalResponse', async () => {
    srv.script(interrupted(textStream.slice(0, 2)));
    const runner = client.responses.stream({ model: 'fast', input: 'Hi' });
    await assert.rejects(runner.finalResponse(), (err: unknown) => err instanceof OpenAI.APIError && err.code === 'ai.stream_interrupted');
  });

  const openAiErrors: [status: number, cls: new (...a: never[]) => Error][] = [
    [400, OpenAI.BadRequestError],
    [401, OpenAI.AuthenticationError],
    [403, OpenAI.PermissionDeniedError],
    [404, OpenAI.NotFoundError],
    [422, OpenAI.UnprocessableEntityError],
    [429, OpenAI.RateLimitError],
    [500, OpenAI.InternalServerError],
    [502, OpenAI.InternalServerError],
  ];
  for (const [status, cls] of openAiErrors) {
    test(`error ${status} surfaces as ${cls.name} with the Pinpoint code, the details and the request id (chat, embeddings, responses)`, async () => {
      const error = { status, code: 'ai.budget_exhausted', message: 'The tenant budget is used up.', param: 'model', details: budgetDetails };
      srv.script({ error }, { error }, { error });
      const calls = [
        client.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'Hi' }] }),
        client.embeddings.create({ model: 'emb', input: 'x' }),
        client.responses.create({ model: 'fast', input: 'Hi' }),
      ];
      for (const call of calls) {
        await assert.rejects(call, (err: unknown) => {
          assert.ok(err instanceof cls, `${String(err)} is not a ${cls.name}`);
          const e = err as InstanceType<typeof OpenAI.APIError>;
          assert.equal(e.status, status);
          assert.equal(e.code, 'ai.budget_exhausted');
          assert.equal(e.param, 'model');
          assert.equal(e.requestID, REQUEST_ID);
          assert.deepEqual((e.error as { pinpoint: unknown }).pinpoint, { ...budgetDetails, request_id: REQUEST_ID });
          return true;
        });
      }
    });
  }

  test('a path that is no endpoint still answers in the OpenAI envelope', async () => {
    await assert.rejects(client.completions.create({ model: 'fast', prompt: 'Hi' }), (err: unknown) => err instanceof OpenAI.NotFoundError && err.code === 'ai.no_endpoint');
  });
});

describe('anthropic SDK', () => {
  let srv: DialectServer;
  let client: Anthropic;
  before(async () => {
    srv = await startDialectServer('anthropic');
    client = new Anthropic({ apiKey: 'pp_test_key', baseURL: srv.url, maxRetries: 0 });
  });
  after(() => srv.close());

  test('messages: text, stop_reason, usage with the uncached input and cache reads, the request id', async () => {
    srv.script({ answer: textAnswer });
    const m = await client.messages.create({ model: 'claude', max_tokens: 64, system: 'Be brief.', messages: [{ role: 'user', content: 'Hi' }], metadata: { user_id: 'u-1' } });
    assert.deepEqual(m.content, [{ type: 'text', text: 'Hello there.', citations: null }]);
    assert.equal(m.stop_reason, 'end_turn');
    assert.equal(m.stop_sequence, null);
    assert.equal(m.stop_details, null);
    assert.equal(m.container, null);
    assert.equal(m.usage.service_tier, null);
    assert.equal(m.model, 'claude');
    assert.equal(m.usage.input_tokens, 20);
    assert.equal(m.usage.cache_read_input_tokens, 100);
    assert.equal(m.usage.output_tokens, 30);
    assert.equal(m._request_id, REQUEST_ID);
    assert.equal(srv.calls.at(-1)!.path, '/v1/messages');
    assert.deepEqual(srv.calls.at(-1)!.parsed, {
      operation: 'chat',
      request: { model: 'claude', messages: [{ role: 'system', parts: [{ type: 'text', text: 'Be brief.' }] }, { role: 'user', parts: [{ type: 'text', text: 'Hi' }] }], maxOutputTokens: 64, stream: false, user: 'u-1' },
    });
  });

  test('messages: tool_use blocks with their input as objects', async () => {
    srv.script({ answer: toolAnswer });
    const m = await client.messages.create({
      model: 'claude',
      max_tokens: 64,
      messages: [
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_0', name: 'weather', input: { city: 'Oslo' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_0', content: '3C' }] },
      ],
      tools: [{ name: 'weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
      tool_choice: { type: 'any' },
    });
    assert.deepEqual(m.content, [
      { type: 'tool_use', id: 'call_a', name: 'weather', input: { city: 'Paris' }, caller: { type: 'direct' } },
      { type: 'tool_use', id: 'call_b', name: 'weather', input: { city: 'Rome' }, caller: { type: 'direct' } },
    ]);
    assert.equal(m.stop_reason, 'tool_use');
    const parsed = srv.calls.at(-1)!.parsed!;
    assert.deepEqual(parsed.operation === 'chat' && parsed.request.messages.map((x) => x.role), ['user', 'assistant', 'tool']);
  });

  test('messages stream (create with stream: true): the raw event sequence', async () => {
    srv.script({ stream: streamed });
    const stream = await client.messages.create({ model: 'claude', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }], stream: true });
    const types: string[] = [];
    let text = '';
    let json = '';
    for await (const e of stream) {
      types.push(e.type);
      if (e.type === 'content_block_delta' && e.delta.type === 'text_delta') text += e.delta.text;
      if (e.type === 'content_block_delta' && e.delta.type === 'input_json_delta') json += e.delta.partial_json;
      if (e.type === 'message_delta') {
        assert.equal(e.delta.stop_reason, 'tool_use');
        assert.equal(e.usage.output_tokens, 30);
        assert.equal(e.usage.input_tokens, 20);
      }
    }
    assert.equal(text, 'Let me check.');
    assert.equal(json, '{"city":"Paris"}');
    assert.deepEqual(types, ['message_start', 'content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_stop', 'content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
  });

  test('messages stream helper (messages.stream): text events and the final message with the whole usage', async () => {
    srv.script({ stream: streamed });
    const runner = client.messages.stream({ model: 'claude', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] });
    const deltas: string[] = [];
    runner.on('text', (d) => deltas.push(d));
    const final = await runner.finalMessage();
    assert.deepEqual(deltas, ['Let me ', 'check.']);
    assert.deepEqual(final.content, [
      { type: 'text', text: 'Let me check.', citations: null },
      { type: 'tool_use', id: 'call_a', name: 'weather', input: { city: 'Paris' }, caller: { type: 'direct' } },
    ]);
    assert.equal(final.stop_reason, 'tool_use');
    assert.equal(final.stop_sequence, null);
    assert.equal(final.stop_details, null, 'message_delta carries stop_details, which the SDK copies into the final message');
    assert.deepEqual(final.usage.output_tokens_details, { thinking_tokens: 12 });
    assert.equal(final.usage.input_tokens, 20);
    assert.equal(final.usage.cache_read_input_tokens, 100);
    assert.equal(final.usage.output_tokens, 30);
  });

  test('messages: a stop on a stop sequence the provider named, whole and streamed (the SDK\'s final message)', async () => {
    srv.script({ answer: { ...textAnswer, stopSequence: '\nTHE END' } });
    const m = await client.messages.create({ model: 'claude', max_tokens: 64, messages: [{ role: 'user', content: 'A story' }], stop_sequences: ['\nTHE END'] });
    assert.equal(m.stop_reason, 'stop_sequence');
    assert.equal(m.stop_sequence, '\nTHE END');
    const parsed = srv.calls.at(-1)!.parsed!;
    assert.deepEqual(parsed.operation === 'chat' && parsed.request.stop, ['\nTHE END']);

    srv.script({ stream: [...textStream.slice(0, 3), { type: 'finish', reason: 'stop', stopSequence: '\nTHE END' }, { type: 'usage', usage }] });
    const final = await client.messages.stream({ model: 'claude', max_tokens: 64, messages: [{ role: 'user', content: 'A story' }], stop_sequences: ['\nTHE END'] }).finalMessage();
    assert.equal(final.stop_reason, 'stop_sequence');
    assert.equal(final.stop_sequence, '\nTHE END');
  });

  test('messages mid-stream error: iteration throws an APIError with the Pinpoint code and the request id', async () => {
    srv.script(interrupted(textStream.slice(0, 2)));
    const stream = await client.messages.create({ model: 'claude', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }], stream: true });
    let text = '';
    await assert.rejects(
      async () => {
        for await (const e of stream) if (e.type === 'content_block_delta' && e.delta.type === 'text_delta') text += e.delta.text;
      },
      (err: unknown) => {
        assert.ok(err instanceof Anthropic.APIError, String(err));
        assert.equal(err.errorCode, 'ai.stream_interrupted');
        assert.equal(err.type, 'api_error');
        assert.equal(err.requestID, REQUEST_ID);
        return true;
      },
    );
    assert.equal(text, 'Hel');
  });

  test('messages stream helper: a mid-stream error rejects finalMessage', async () => {
    srv.script(interrupted(textStream.slice(0, 2)));
    const runner = client.messages.stream({ model: 'claude', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] });
    await assert.rejects(runner.finalMessage(), (err: unknown) => err instanceof Anthropic.APIError && err.errorCode === 'ai.stream_interrupted');
  });

  test('messages: a body the dialect refuses comes back as BadRequestError naming the path', async () => {
    await assert.rejects(client.messages.create({ model: 'claude', max_tokens: 64, messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'x' } }] }] }), (err: unknown) => {
      assert.ok(err instanceof Anthropic.BadRequestError, String(err));
      assert.equal(err.errorCode, 'ai.bad_request');
      assert.equal((err.details as { param?: string } | null)?.param, 'messages[0].content[0].type');
      return true;
    });
  });

  const anthropicErrors: [status: number, cls: new (...a: never[]) => Error, type: string][] = [
    [400, Anthropic.BadRequestError, 'invalid_request_error'],
    [401, Anthropic.AuthenticationError, 'authentication_error'],
    [402, Anthropic.PaymentRequiredError, 'billing_error'],
    [403, Anthropic.PermissionDeniedError, 'permission_error'],
    [404, Anthropic.NotFoundError, 'not_found_error'],
    [422, Anthropic.UnprocessableEntityError, 'invalid_request_error'],
    [429, Anthropic.RateLimitError, 'rate_limit_error'],
    [500, Anthropic.InternalServerError, 'api_error'],
    [502, Anthropic.InternalServerError, 'api_error'],
    [503, Anthropic.ServiceUnavailableError, 'overloaded_error'],
    [504, Anthropic.GatewayTimeoutError, 'timeout_error'],
    [529, Anthropic.OverloadedError, 'overloaded_error'],
  ];
  for (const [status, cls, type] of anthropicErrors) {
    test(`error ${status} surfaces as ${cls.name} (${type}) with the Pinpoint code as errorCode, the details and the request id`, async () => {
      const error: Omit<AiError, 'requestId'> = { status, code: 'ai.budget_exhausted', message: 'The tenant budget is used up.', details: budgetDetails };
      srv.script({ error });
      await assert.rejects(client.messages.create({ model: 'claude', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] }), (err: unknown) => {
        assert.ok(err instanceof cls, `${String(err)} is not a ${cls.name}`);
        const e = err as InstanceType<typeof Anthropic.APIError>;
        assert.equal(e.status, status);
        assert.equal(e.type, type);
        assert.equal(e.errorCode, 'ai.budget_exhausted');
        assert.equal(e.requestID, REQUEST_ID);
        assert.deepEqual(e.details, { ...budgetDetails, error_code: 'ai.budget_exhausted' });
        assert.match(e.message, /The tenant budget is used up/);
        return true;
      });
    });
  }
});
