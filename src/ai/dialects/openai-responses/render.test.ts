import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encode, sseEvents } from '../../../../test/ai/dialects/helpers.ts';
import type { ChatResponse, StreamEvent } from '../../types.ts';
import type { AiError, RenderContext } from '../types.ts';
import { openAiResponses } from './index.ts';

const ctx: RenderContext = { model: 'fast', requestId: 'req_abc', created: 1_700_000_000 };
const usage = { inputTokens: 10, outputTokens: 5, cachedInputTokens: 4, reasoningTokens: 2 };
const wireUsage = { input_tokens: 10, input_tokens_details: { cached_tokens: 4 }, output_tokens: 5, output_tokens_details: { reasoning_tokens: 2 }, total_tokens: 15 };
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
  assert.deepEqual(failed.error, { code: 'ai.provider_rate_limited', message: 'The provider is rate limiting.' });
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
