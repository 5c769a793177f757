import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChatResponse, StreamEvent } from '../../types.ts';
import type { AiError, RenderContext } from '../types.ts';
import { encode, sseEvents } from '../../../../test/ai/dialects/helpers.ts';
import { openAiChat } from './index.ts';

const ctx: RenderContext = { model: 'fast', requestId: 'req_1', created: 1_700_000_000 };
const usage = { inputTokens: 10, outputTokens: 5, cachedInputTokens: 4, reasoningTokens: 2 };
/** OpenAI's usage with every detail it sends (no audio, no predicted outputs through the gateway: 0). */
const chatUsage = (prompt: number, completion: number, cached = 0, reasoning = 0) => ({
  prompt_tokens: prompt,
  completion_tokens: completion,
  total_tokens: prompt + completion,
  prompt_tokens_details: { cached_tokens: cached, audio_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: reasoning, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
});
const wireUsage = chatUsage(10, 5, 4, 2);

const answers: { name: string; resp: ChatResponse; message: unknown; finish: string; usage?: unknown }[] = [
  {
    name: 'text',
    resp: { id: 'chatcmpl-1', model: 'gpt-4o-2024', parts: [{ type: 'text', text: 'Hel' }, { type: 'text', text: 'lo' }], finishReason: 'stop', usage },
    message: { role: 'assistant', content: 'Hello', refusal: null, annotations: [] },
    finish: 'stop',
    usage: wireUsage,
  },
  {
    name: 'tool calls only: content is null',
    resp: { id: 'chatcmpl-2', model: 'm', parts: [{ type: 'tool_call', id: 'call_1', name: 'weather', arguments: '{"city":"Paris"}' }], finishReason: 'tool_calls', usage: { inputTokens: 3, outputTokens: 1 } },
    message: { role: 'assistant', content: null, refusal: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }], annotations: [] },
    finish: 'tool_calls',
    usage: chatUsage(3, 1),
  },
  {
    name: 'cut by the token limit, no usage known',
    resp: { id: 'chatcmpl-3', model: 'm', parts: [{ type: 'text', text: 'Once upon' }], finishReason: 'length' },
    message: { role: 'assistant', content: 'Once upon', refusal: null, annotations: [] },
    finish: 'length',
  },
];

for (const a of answers) {
  test(`chat render: ${a.name}`, () => {
    const out = openAiChat.renderChat!(a.resp, ctx) as Record<string, unknown>;
    assert.deepEqual(out, {
      id: a.resp.id,
      object: 'chat.completion',
      created: ctx.created,
      model: 'fast',
      choices: [{ index: 0, message: a.message, logprobs: null, finish_reason: a.finish }],
      ...(a.usage ? { usage: a.usage } : {}),
      service_tier: null,
    });
  });
}

const payloads = (text: string) => sseEvents(text).map((e) => e.data);
const run = (events: StreamEvent[], c: RenderContext = ctx) => encode(openAiChat.chatStream!(c), events);

const chunk = (delta: unknown, finish: string | null = null, extra: Record<string, unknown> = {}) => ({
  id: 'chatcmpl-9',
  object: 'chat.completion.chunk',
  created: ctx.created,
  model: 'fast',
  service_tier: null,
  choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  ...extra,
});

const streamed: StreamEvent[] = [
  { type: 'start', id: 'chatcmpl-9', model: 'gpt-4o' },
  { type: 'text', text: 'Hi' },
  { type: 'tool_call', index: 0, id: 'call_1', name: 'weather', argumentsDelta: '' },
  { type: 'tool_call', index: 0, argumentsDelta: '{"city":' },
  { type: 'tool_call', index: 0, argumentsDelta: '"Paris"}' },
  { type: 'usage', usage },
  { type: 'finish', reason: 'tool_calls' },
];

test('chat stream: role first, content and tool_call deltas, finish, then [DONE]; no usage chunk unless asked', () => {
  assert.deepEqual(payloads(run(streamed)), [
    chunk({ role: 'assistant', content: '', refusal: null }),
    chunk({ content: 'Hi' }),
    chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'weather', arguments: '' } }] }),
    chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
    chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }),
    chunk({}, 'tool_calls'),
    '[DONE]',
  ]);
});

test('chat stream with include_usage: usage null on each chunk, then a usage chunk with empty choices before [DONE]', () => {
  const out = payloads(run(streamed, { ...ctx, includeUsage: true }));
  assert.equal(out.length, 8);
  for (const c of out.slice(0, 6)) assert.equal((c as { usage: unknown }).usage, null);
  assert.deepEqual(out[6], { id: 'chatcmpl-9', object: 'chat.completion.chunk', created: ctx.created, model: 'fast', service_tier: null, choices: [], usage: wireUsage });
  assert.equal(out[7], '[DONE]');
});

test('chat stream: a stream that starts without a start event still opens with the role delta, under the request id', () => {
  assert.deepEqual(payloads(run([{ type: 'text', text: 'x' }, { type: 'finish', reason: 'stop' }])), [
    { ...chunk({ role: 'assistant', content: '', refusal: null }), id: 'req_1' },
    { ...chunk({ content: 'x' }), id: 'req_1' },
    { ...chunk({}, 'stop'), id: 'req_1' },
    '[DONE]',
  ]);
});

const failure: AiError = { status: 502, code: 'ai.stream_interrupted', message: 'The provider stream failed.', requestId: 'req_1', details: { provider_status: 500 } };

test('chat stream mid-stream error: a data event with an error member (the usage so far first, when asked), no [DONE]', () => {
  const enc = openAiChat.chatStream!({ ...ctx, includeUsage: true });
  const text = enc.event({ type: 'start', id: 'chatcmpl-9', model: 'm' }) + enc.event({ type: 'text', text: 'Hel' }) + enc.error(failure, { inputTokens: 10, outputTokens: 1 });
  const out = payloads(text);
  assert.equal(out.length, 4);
  assert.deepEqual((out[2] as { usage: unknown }).usage, chatUsage(10, 1));
  assert.deepEqual(out[3], {
    error: { message: 'The provider stream failed.', type: 'api_error', code: 'ai.stream_interrupted', param: null, pinpoint: { provider_status: 500, request_id: 'req_1' } },
  });
  assert.ok(!text.includes('[DONE]'));
});

test('chat stream: provider error events render nothing (the server sends error())', () => {
  const enc = openAiChat.chatStream!(ctx);
  enc.event({ type: 'start', id: 'x', model: 'm' });
  assert.equal(enc.event({ type: 'error', error: { status: 200, message: 'boom' } }), '');
});
