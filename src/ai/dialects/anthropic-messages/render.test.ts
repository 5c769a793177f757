import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encode, sseEvents } from '../../../../test/ai/dialects/helpers.ts';
import type { ChatResponse, StreamEvent } from '../../types.ts';
import type { AiError, RenderContext } from '../types.ts';
import { anthropicMessages } from './index.ts';

const ctx: RenderContext = { model: 'claude', requestId: 'req_1', created: 1_700_000_000 };
const usage = { inputTokens: 100, outputTokens: 20, cachedInputTokens: 60 };
/** A message's usage: what the gateway cannot know is null, as the SDK's Usage type allows. */
const fullUsage = (u: Record<string, unknown>) => ({
  cache_creation_input_tokens: null,
  cache_creation: null,
  output_tokens_details: null,
  server_tool_use: null,
  service_tier: null,
  inference_geo: null,
  speed: null,
  ...u,
});
const wireUsage = fullUsage({ input_tokens: 40, cache_read_input_tokens: 60, output_tokens: 20 });
const deltaUsage = { input_tokens: 40, cache_creation_input_tokens: null, cache_read_input_tokens: 60, output_tokens: 20, output_tokens_details: null, server_tool_use: null };
const text = (t: string) => ({ type: 'text', text: t, citations: null });
const toolUse = (id: string, name: string, input: unknown) => ({ type: 'tool_use', id, name, input, caller: { type: 'direct' } });

const answers: { name: string; resp: ChatResponse; content: unknown[]; stop: string; sequence?: string; details?: unknown; usage: unknown }[] = [
  {
    name: 'text; input_tokens is the uncached part',
    resp: { id: 'msg_1', model: 'm', parts: [{ type: 'text', text: 'Hel' }, { type: 'text', text: 'lo' }], finishReason: 'stop', usage },
    content: [text('Hello')],
    stop: 'end_turn',
    usage: wireUsage,
  },
  {
    name: 'a stop on a stop sequence the provider named: stop_reason stop_sequence and the sequence',
    resp: { id: 'msg_5', model: 'm', parts: [{ type: 'text', text: 'Once upon a time' }], finishReason: 'stop', stopSequence: '\n\nTHE END', usage },
    content: [text('Once upon a time')],
    stop: 'stop_sequence',
    sequence: '\n\nTHE END',
    usage: wireUsage,
  },
  {
    name: 'reasoning tokens as output_tokens_details.thinking_tokens',
    resp: { id: 'msg_6', model: 'm', parts: [{ type: 'text', text: 'Hm.' }], finishReason: 'stop', usage: { inputTokens: 10, outputTokens: 8, reasoningTokens: 5 } },
    content: [text('Hm.')],
    stop: 'end_turn',
    usage: fullUsage({ input_tokens: 10, cache_read_input_tokens: 0, output_tokens: 8, output_tokens_details: { thinking_tokens: 5 } }),
  },
  {
    name: 'text and tool_use with the arguments as an object',
    resp: {
      id: 'msg_2',
      model: 'm',
      parts: [
        { type: 'text', text: 'Checking.' },
        { type: 'tool_call', id: 'toolu_a', name: 'weather', arguments: '{"city":"Paris"}' },
        { type: 'tool_call', id: 'toolu_b', name: 'now', arguments: '' },
      ],
      finishReason: 'tool_calls',
      usage: { inputTokens: 5, outputTokens: 3 },
    },
    content: [text('Checking.'), toolUse('toolu_a', 'weather', { city: 'Paris' }), toolUse('toolu_b', 'now', {})],
    stop: 'tool_use',
    usage: fullUsage({ input_tokens: 5, cache_read_input_tokens: 0, output_tokens: 3 }),
  },
  {
    name: 'arguments that are not a JSON object reach the client as written',
    resp: { id: 'msg_3', model: 'm', parts: [{ type: 'tool_call', id: 't', name: 'f', arguments: '{"city":' }], finishReason: 'length', usage },
    content: [toolUse('t', 'f', '{"city":')],
    stop: 'max_tokens',
    usage: wireUsage,
  },
  {
    name: 'a content filter stop is a refusal, with null-filled refusal details',
    resp: { id: 'msg_4', model: 'm', parts: [], finishReason: 'content_filter', usage },
    content: [],
    stop: 'refusal',
    details: { type: 'refusal', category: null, explanation: null },
    usage: wireUsage,
  },
  {
    name: 'a stop sequence beside another finish is not one (the finish wins)',
    resp: { id: 'msg_7', model: 'm', parts: [{ type: 'text', text: 'x' }], finishReason: 'length', stopSequence: 'END', usage },
    content: [text('x')],
    stop: 'max_tokens',
    usage: wireUsage,
  },
];

for (const a of answers) {
  test(`messages render: ${a.name}`, () => {
    assert.deepEqual(anthropicMessages.renderChat!(a.resp, ctx), {
      id: a.resp.id,
      type: 'message',
      role: 'assistant',
      model: 'claude',
      content: a.content,
      stop_reason: a.stop,
      stop_sequence: a.sequence ?? null,
      stop_details: a.details ?? null,
      container: null,
      diagnostics: null,
      usage: a.usage,
    });
  });
}

test('messages stream: message_start, text block, tool_use block with input_json_delta, message_delta with the whole usage, message_stop', () => {
  const events: StreamEvent[] = [
    { type: 'start', id: 'msg_9', model: 'm' },
    { type: 'text', text: 'Hel' },
    { type: 'text', text: 'lo' },
    { type: 'tool_call', index: 0, id: 'toolu_a', name: 'weather', argumentsDelta: '' },
    { type: 'tool_call', index: 0, argumentsDelta: '{"city":"Paris"}' },
    { type: 'usage', usage },
    { type: 'finish', reason: 'tool_calls' },
  ];
  const out = sseEvents(encode(anthropicMessages.chatStream!(ctx), events));
  for (const e of out) assert.equal(e.event, (e.data as { type: string }).type, 'the event name is the data type');
  assert.deepEqual(
    out.map((e) => e.data),
    [
      {
        type: 'message_start',
        message: {
          id: 'msg_9',
          type: 'message',
          role: 'assistant',
          model: 'claude',
          content: [],
          stop_reason: null,
          stop_sequence: null,
          stop_details: null,
          container: null,
          diagnostics: null,
          usage: fullUsage({ input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 }),
        },
      },
      { type: 'content_block_start', index: 0, content_block: text('') },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hel' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'lo' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: toolUse('toolu_a', 'weather', {}) },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"city":"Paris"}' } },
      { type: 'content_block_stop', index: 1 },
      { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null, stop_details: null, container: null }, usage: deltaUsage },
      { type: 'message_stop' },
    ],
  );
});

const streamStops: { name: string; finish: StreamEvent; delta: Record<string, unknown> }[] = [
  { name: 'a stop sequence the provider named', finish: { type: 'finish', reason: 'stop', stopSequence: '###' }, delta: { stop_reason: 'stop_sequence', stop_sequence: '###', stop_details: null, container: null } },
  { name: 'a plain stop', finish: { type: 'finish', reason: 'stop' }, delta: { stop_reason: 'end_turn', stop_sequence: null, stop_details: null, container: null } },
  { name: 'a length stop', finish: { type: 'finish', reason: 'length' }, delta: { stop_reason: 'max_tokens', stop_sequence: null, stop_details: null, container: null } },
  {
    name: 'a refusal',
    finish: { type: 'finish', reason: 'content_filter' },
    delta: { stop_reason: 'refusal', stop_sequence: null, stop_details: { type: 'refusal', category: null, explanation: null }, container: null },
  },
];
for (const c of streamStops) {
  test(`messages stream: message_delta for ${c.name}`, () => {
    const out = sseEvents(encode(anthropicMessages.chatStream!(ctx), [{ type: 'text', text: 'a' }, c.finish, { type: 'usage', usage }]));
    const delta = out.find((e) => e.event === 'message_delta')!.data as { delta: unknown };
    assert.deepEqual(delta.delta, c.delta);
  });
}

test('messages stream: an empty answer still has message_start, message_delta and message_stop', () => {
  const out = sseEvents(encode(anthropicMessages.chatStream!(ctx), [{ type: 'finish', reason: 'stop' }]));
  assert.deepEqual(out.map((e) => e.event), ['message_start', 'message_delta', 'message_stop']);
  assert.equal((out[0]!.data as { message: { id: string } }).message.id, 'req_1');
});

const overloaded: AiError = { status: 529, code: 'ai.provider_error', message: 'The provider is overloaded.', requestId: 'req_1', details: { provider_status: 529 } };

test('messages stream mid-stream error: the usage so far in a message_delta, then event: error with the envelope', () => {
  const enc = anthropicMessages.chatStream!(ctx);
  const text = enc.event({ type: 'start', id: 'msg_9', model: 'm' }) + enc.event({ type: 'text', text: 'Hel' }) + enc.error(overloaded, { inputTokens: 10, outputTokens: 1 });
  const out = sseEvents(text);
  assert.deepEqual(out.map((e) => e.event), ['message_start', 'content_block_start', 'content_block_delta', 'message_delta', 'error']);
  assert.deepEqual(out[3]!.data, {
    type: 'message_delta',
    delta: { stop_reason: null, stop_sequence: null, stop_details: null, container: null },
    usage: { ...deltaUsage, input_tokens: 10, cache_read_input_tokens: 0, output_tokens: 1 },
  });
  assert.deepEqual(out[4]!.data, {
    type: 'error',
    error: { type: 'overloaded_error', message: 'The provider is overloaded.', details: { provider_status: 529, error_code: 'ai.provider_error' } },
    request_id: 'req_1',
  });
  assert.ok(!text.includes('message_stop'));
});

test('messages stream mid-stream error without usage: only the error event after what was sent', () => {
  const enc = anthropicMessages.chatStream!(ctx);
  const out = sseEvents(enc.error({ status: 502, code: 'ai.stream_interrupted', message: 'cut', requestId: 'req_1' }));
  assert.deepEqual(out.map((e) => e.event), ['message_start', 'error']);
});
