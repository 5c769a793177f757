import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encode, sseEvents } from '../../../../test/ai/dialects/helpers.ts';
import type { ChatResponse, StreamEvent } from '../../types.ts';
import type { AiError, RenderContext } from '../types.ts';
import { DEFAULT_ECHO } from './echo.ts';
import { openAiResponses } from './index.ts';
import { parseResponses } from './parse.ts';

const ctx: RenderContext = { model: 'fast', requestId: 'req_abc', created: 1_700_000_000 };
const usage = { inputTokens: 10, outputTokens: 5, cachedInputTokens: 4, reasoningTokens: 2 };
const wireUsage = { input_tokens: 10, input_tokens_details: { cached_tokens: 4, cache_write_tokens: 0 }, output_tokens: 5, output_tokens_details: { reasoning_tokens: 2 }, total_tokens: 15 };
const text = (t: string) => ({ type: 'output_text', text: t, annotations: [], logprobs: [] });

const answers: { name: string; resp: ChatResponse; status: string; incomplete: unknown; output: unknown[]; usage: unknown }[] = [
  {
    name: 'text: one message item; usage with cached and reasoning tokens',
    resp: { id: 'chatcmpl-1', model: 'm', parts: [{ type: 'text', text: 'Hel' }, { type: 'text', text: 'lo' }], finishReason: 'stop', usage },
    status: 'completed',
    incomplete: null,
    output: [{ id: 'msg_abc_0', type: 'message', status: 'completed', role: 'assistant', content: [text('Hello')] }],
    usage: wireUsage,
  },
  {
    name: 'text then two function calls, each its own item',
    resp: {
      id: 'x',
      model: 'm',
      parts: [
        { type: 'text', text: 'Checking.' },
        { type: 'tool_call', id: 'call_a', name: 'weather', arguments: '{"city":"Paris"}' },
        { type: 'tool_call', id: 'call_b', name: 'weather', arguments: '{"city":"Rome"}' },
      ],
      finishReason: 'tool_calls',
    },
    status: 'completed',
    incomplete: null,
    output: [
      { id: 'msg_abc_0', type: 'message', status: 'completed', role: 'assistant', content: [text('Checking.')] },
      { id: 'fc_abc_1', type: 'function_call', status: 'completed', call_id: 'call_a', name: 'weather', arguments: '{"city":"Paris"}' },
      { id: 'fc_abc_2', type: 'function_call', status: 'completed', call_id: 'call_b', name: 'weather', arguments: '{"city":"Rome"}' },
    ],
    usage: null,
  },
  {
    name: 'cut by max_output_tokens: incomplete',
    resp: { id: 'x', model: 'm', parts: [{ type: 'text', text: 'Once' }], finishReason: 'length', usage },
    status: 'incomplete',
    incomplete: { reason: 'max_output_tokens' },
    output: [{ id: 'msg_abc_0', type: 'message', status: 'incomplete', role: 'assistant', content: [text('Once')] }],
    usage: wireUsage,
  },
  {
    name: 'stopped by the content filter: incomplete',
    resp: { id: 'x', model: 'm', parts: [], finishReason: 'content_filter' },
    status: 'incomplete',
    incomplete: { reason: 'content_filter' },
    output: [],
    usage: null,
  },
];

for (const a of answers) {
  test(`responses render: ${a.name}`, () => {
    const out = openAiResponses.renderChat!(a.resp, ctx) as Record<string, unknown>;
    assert.equal(out.id, 'resp_abc');
    assert.equal(out.object, 'response');
    assert.equal(out.created_at, ctx.created);
    assert.equal(out.model, 'fast');
    assert.equal(out.status, a.status);
    assert.equal(out.error, null);
    assert.deepEqual(out.incomplete_details, a.incomplete);
    assert.deepEqual(out.output, a.output);
    assert.deepEqual(out.usage, a.usage);
  });
}

/** The members a response has whatever the request: a gateway that stores nothing and runs no tools of its own. */
const fixed = {
  object: 'response',
  background: false,
  parallel_tool_calls: true,
  previous_response_id: null,
  prompt_cache_key: null,
  prompt_cache_retention: null,
  reasoning: { effort: null, summary: null },
  service_tier: null,
  store: false,
  top_logprobs: 0,
  truncation: 'disabled',
};
const pick = (o: Record<string, unknown>, keys: string[]) => Object.fromEntries(keys.map((k) => [k, o[k]]));
const text200 = { id: 'x', model: 'm', parts: [{ type: 'text', text: 'Hi' }], finishReason: 'stop' } satisfies ChatResponse;

const echoCases: { name: string; ctx: RenderContext; want: Record<string, unknown> }[] = [
  { name: 'without the request: the defaults of one that set nothing', ctx, want: { ...DEFAULT_ECHO } },
  {
    name: 'with the request\'s echo: instructions, sampling, limits, tools, tool_choice, text.format, metadata, user as it was passed on',
    ctx: {
      ...ctx,
      echo: (
        parseResponses({
          model: 'fast',
          input: 'Hi',
          instructions: 'Be brief.',
          temperature: 0.2,
          top_p: 0.9,
          max_output_tokens: 32,
          tools: [{ type: 'function', name: 'weather', parameters: { type: 'object' } }],
          tool_choice: 'required',
          text: { format: { type: 'json_object' } },
          metadata: { ticket: 'T-1' },
          user: 'u-1',
        }) as { echo: Record<string, unknown> }
      ).echo,
    },
    want: {
      instructions: 'Be brief.',
      max_output_tokens: 32,
      temperature: 0.2,
      top_p: 0.9,
      tools: [{ type: 'function', name: 'weather', description: null, parameters: { type: 'object' }, strict: false }],
      tool_choice: 'required',
      text: { format: { type: 'json_object' }, verbosity: null },
      metadata: { ticket: 'T-1' },
      safety_identifier: null,
      user: 'u-1',
    },
  },
];

for (const c of echoCases) {
  test(`responses render echo: ${c.name}`, () => {
    const out = openAiResponses.renderChat!(text200, c.ctx) as Record<string, unknown>;
    assert.deepEqual(pick(out, Object.keys(c.want)), c.want);
    assert.deepEqual(pick(out, Object.keys(fixed)), fixed);
    assert.ok(!('user' in out) || 'user' in c.want, 'user only when the request named one (the type has no null for it)');
    // The stream's response objects (created, completed) echo the same.
    const data = sseEvents(encode(openAiResponses.chatStream!(c.ctx), [{ type: 'text', text: 'Hi' }, { type: 'finish', reason: 'stop' }])).map((e) => e.data as { response?: Record<string, unknown> });
    for (const r of [data[0]!.response!, data.at(-1)!.response!]) assert.deepEqual(pick(r, [...Object.keys(c.want), ...Object.keys(fixed)]), { ...c.want, ...fixed });
  });
}

test('responses render: completed_at on a completed response only (not on an incomplete one)', () => {
  const done = openAiResponses.renderChat!(text200, ctx) as Record<string, unknown>;
  assert.ok(typeof done.completed_at === 'number' && done.completed_at >= ctx.created);
  const cut = openAiResponses.renderChat!({ ...text200, finishReason: 'length' }, ctx) as Record<string, unknown>;
  assert.equal(cut.completed_at, null);
  const created = sseEvents(encode(openAiResponses.chatStream!(ctx), []))[0]!.data as { response: Record<string, unknown> };
  assert.equal(created.response.completed_at, null, 'in progress');
});

const failures: { status: number; code: string }[] = [
  { status: 429, code: 'rate_limit_exceeded' },
  { status: 502, code: 'server_error' },
  { status: 504, code: 'server_error' },
];
for (const f of failures) {
  test(`responses stream: a ${f.status} mid-stream is response.failed with error.code ${f.code}`, () => {
    const out = openAiResponses.chatStream!(ctx).error({ status: f.status, code: 'ai.stream_interrupted', message: 'cut', requestId: 'req_abc' });
    const failed = sseEvents(out).find((e) => e.event === 'response.failed')!.data as { response: { error: unknown } };
    assert.deepEqual(failed.response.error, { code: f.code, message: 'cut' });
  });
}

const types = (text: string) => sseEvents(text).map((e) => e.event);
const datas = (text: string) => sseEvents(text).map((e) => e.data as Record<string, unknown> & { type: string; sequence_number: number });

test('responses stream: the full event sequence for text then a function call, with usage on response.completed', () => {
  const events: StreamEvent[] = [
    { type: 'start', id: 'chatcmpl-1', model: 'm' },
    { type: 'text', text: 'Hel' },
    { type: 'text', text: 'lo' },
    { type: 'tool_call', index: 0, id: 'call_a', name: 'weather', argumentsDelta: '{"city":' },
    { type: 'tool_call', index: 0, argumentsDelta: '"Paris"}' },
    { type: 'finish', reason: 'tool_calls' },
    { type: 'usage', usage },
  ];
  const out = encode(openAiResponses.chatStream!(ctx), events);
  assert.deepEqual(types(out), [
    'response.created',
    'response.in_progress',
    'response.output_item.added',
    'response.content_part.added',
    'response.output_text.delta',
    'response.output_text.delta',
    'response.output_text.done',
    'response.content_part.done',
    'response.output_item.done',
    'response.output_item.added',
    'response.function_call_arguments.delta',
    'response.function_call_arguments.delta',
    'response.function_call_arguments.done',
    'response.output_item.done',
    'response.completed',
  ]);
  const data = datas(out);
  data.forEach((d, i) => {
    assert.equal(d.sequence_number, i);
    assert.equal(d.type, types(out)[i]);
  });
  assert.deepEqual((data[0]!.response as Record<string, unknown>).status, 'in_progress');
  assert.deepEqual(data[4], { type: 'response.output_text.delta', sequence_number: 4, item_id: 'msg_abc_0', output_index: 0, content_index: 0, delta: 'Hel', logprobs: [] });
  assert.deepEqual(data[6], { type: 'response.output_text.done', sequence_number: 6, item_id: 'msg_abc_0', output_index: 0, content_index: 0, text: 'Hello', logprobs: [] });
  assert.deepEqual(data[9]!.item, { id: 'fc_abc_1', type: 'function_call', status: 'in_progress', call_id: 'call_a', name: 'weather', arguments: '' });
  assert.deepEqual(data[12], { type: 'response.function_call_arguments.done', sequence_number: 12, item_id: 'fc_abc_1', output_index: 1, name: 'weather', arguments: '{"city":"Paris"}' });
  const done = data[14]!.response as Record<string, unknown>;
  assert.equal(done.status, 'completed');
  assert.deepEqual(done.usage, wireUsage);
  assert.deepEqual(done.output, (openAiResponses.renderChat!({ id: 'x', model: 'm', parts: [{ type: 'text', text: 'Hello' }, { type: 'tool_call', id: 'call_a', name: 'weather', arguments: '{"city":"Paris"}' }], finishReason: 'tool_calls' }, ctx) as { output: unknown }).output);
});

test('responses stream: a length finish ends with response.incomplete', () => {
  const out = encode(openAiResponses.chatStream!(ctx), [{ type: 'text', text: 'a' }, { type: 'finish', reason: 'length' }]);
  const last = datas(out).at(-1)!;
  assert.equal(last.type, 'response.incomplete');
  assert.deepEqual((last.response as Record<string, unknown>).incomplete_details, { reason: 'max_output_tokens' });
});

test('responses stream mid-stream error: response.failed with the usage so far, then an error event with a nested error member', () => {
  const enc = openAiResponses.chatStream!(ctx);
  const failure: AiError = { status: 429, code: 'ai.provider_rate_limited', message: 'The provider is rate limiting.', requestId: 'req_abc', details: { retry_after_s: 3 } };
  const out = enc.event({ type: 'start', id: 'x', model: 'm' }) + enc.event({ type: 'text', text: 'Hel' }) + enc.error(failure, { inputTokens: 10, outputTokens: 1 });
  const data = datas(out);
  assert.deepEqual(types(out).slice(-2), ['response.failed', 'error']);
  data.forEach((d, i) => assert.equal(d.sequence_number, i));
  const failed = data.at(-2)!.response as Record<string, unknown>;
  assert.equal(failed.status, 'failed');
  assert.deepEqual(failed.error, { code: 'rate_limit_exceeded', message: 'The provider is rate limiting.' }, 'the API\'s own code; the Pinpoint code is in the error event');
  assert.deepEqual((failed.usage as Record<string, unknown>).output_tokens, 1);
  const { sequence_number: _, ...error } = data.at(-1)!;
  assert.deepEqual(error, {
    type: 'error',
    code: 'ai.provider_rate_limited',
    message: 'The provider is rate limiting.',
    param: null,
    error: { message: 'The provider is rate limiting.', type: 'rate_limit_error', code: 'ai.provider_rate_limited', param: null, pinpoint: { retry_after_s: 3, request_id: 'req_abc' } },
  });
});

test('responses stream: an error before any event still opens with response.created', () => {
  const enc = openAiResponses.chatStream!(ctx);
  const out = enc.error({ status: 502, code: 'ai.provider_error', message: 'x', requestId: 'req_abc' });
  assert.deepEqual(types(out), ['response.created', 'response.in_progress', 'response.failed', 'error']);
});
