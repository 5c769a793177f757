import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { StreamEvent } from '../../types.ts';
import { decodeEveryWay, decodeInPieces } from '../common/testing.ts';
import { adapter } from './index.ts';
import { USAGE_FORMS } from './usage-forms.fixture.ts';

const data = (v: unknown) => `data: ${typeof v === 'string' ? v : JSON.stringify(v)}\n\n`;
const chunk = (delta: Record<string, unknown>, finish: string | null = null, extra: Record<string, unknown> = {}) =>
  data({ id: 'chatcmpl-9', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o', choices: [{ index: 0, delta, finish_reason: finish }], ...extra });
const usageChunk = (usage: unknown) => data({ id: 'chatcmpl-9', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o', choices: [], usage });
const DONE = data('[DONE]');
const start: StreamEvent = { type: 'start', id: 'chatcmpl-9', model: 'gpt-4o' };
const cut = (provider = 'OpenAI'): StreamEvent => ({ type: 'error', error: { status: 200, type: 'stream_cut', message: `${provider}'s stream ended before its end marker (connection closed mid-answer)` } });

const STREAMS: { name: string; sse: string; want: StreamEvent[] }[] = [
  {
    name: 'text in several characters wide (UTF-8 of 2, 3 and 4 bytes), finish, usage chunk, [DONE]',
    sse:
      chunk({ role: 'assistant', content: '' }, null, { usage: null }) +
      chunk({ content: 'Café ' }, null, { usage: null }) +
      chunk({ content: '日本 😀' }, null, { usage: null }) +
      chunk({}, 'stop', { usage: null }) +
      usageChunk({ prompt_tokens: 12, completion_tokens: 4, total_tokens: 16, prompt_tokens_details: { cached_tokens: 8 }, completion_tokens_details: { reasoning_tokens: 1 } }) +
      DONE,
    want: [start, { type: 'text', text: 'Café ' }, { type: 'text', text: '日本 😀' }, { type: 'finish', reason: 'stop' }, { type: 'usage', usage: { inputTokens: 12, outputTokens: 4, cachedInputTokens: 8, reasoningTokens: 1 } }],
  },
  {
    name: 'two tool calls streamed as deltas',
    sse:
      chunk({ role: 'assistant', content: null, tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '' } }] }) +
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }) +
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"Zürich"}' } }] }) +
      chunk({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'now', arguments: '{}' } }] }) +
      chunk({}, 'tool_calls') +
      DONE,
    want: [
      start,
      { type: 'tool_call', index: 0, id: 'call_a', name: 'get_weather', argumentsDelta: '' },
      { type: 'tool_call', index: 0, argumentsDelta: '{"city":' },
      { type: 'tool_call', index: 0, argumentsDelta: '"Zürich"}' },
      { type: 'tool_call', index: 1, id: 'call_b', name: 'now', argumentsDelta: '{}' },
      { type: 'finish', reason: 'tool_calls' },
    ],
  },
  {
    name: "Azure's nameless prompt-filter chunk first: start waits for the real id",
    sse: data({ choices: [], created: 0, id: '', model: '', object: '', prompt_filter_results: [] }) + chunk({ content: 'Hi' }) + chunk({}, 'length') + DONE,
    want: [start, { type: 'text', text: 'Hi' }, { type: 'finish', reason: 'length' }],
  },
  {
    name: "Groq's usage in x_groq",
    sse: chunk({ content: 'Hi' }) + chunk({}, 'stop', { x_groq: { id: 'req_1', usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } } }) + DONE,
    want: [start, { type: 'text', text: 'Hi' }, { type: 'finish', reason: 'stop' }, { type: 'usage', usage: { inputTokens: 3, outputTokens: 1 } }],
  },
  {
    name: "usage repeated on every chunk (vLLM's continuous stats): sent once, the last",
    sse: chunk({ content: 'a' }, null, { usage: { prompt_tokens: 3, completion_tokens: 1 } }) + chunk({ content: 'b' }, null, { usage: { prompt_tokens: 3, completion_tokens: 2 } }) + chunk({}, 'stop', { usage: { prompt_tokens: 3, completion_tokens: 2 } }) + DONE,
    want: [start, { type: 'text', text: 'a' }, { type: 'text', text: 'b' }, { type: 'finish', reason: 'stop' }, { type: 'usage', usage: { inputTokens: 3, outputTokens: 2 } }],
  },
  {
    name: "vLLM's stop_reason: the stop string that matched goes with the finish; a stop token's id does not",
    sse:
      chunk({ content: 'Once' }) +
      data({ id: 'chatcmpl-9', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o', choices: [{ index: 0, delta: {}, finish_reason: 'stop', stop_reason: 'THE END' }] }) +
      DONE,
    want: [start, { type: 'text', text: 'Once' }, { type: 'finish', reason: 'stop', stopSequence: 'THE END' }],
  },
  {
    name: 'a stop_reason that is a token id is no stop sequence',
    sse: chunk({ content: 'Once' }) + data({ id: 'chatcmpl-9', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o', choices: [{ index: 0, delta: {}, finish_reason: 'stop', stop_reason: 128009 }] }) + DONE,
    want: [start, { type: 'text', text: 'Once' }, { type: 'finish', reason: 'stop' }],
  },
  {
    name: "comments (OpenRouter's keep-alives) and CRLF line ends",
    sse: (': OPENROUTER PROCESSING\n\n' + chunk({ content: 'Hi' }) + ': OPENROUTER PROCESSING\n\n' + chunk({}, 'stop') + DONE).replace(/\n/g, '\r\n'),
    want: [start, { type: 'text', text: 'Hi' }, { type: 'finish', reason: 'stop' }],
  },
  {
    name: 'an error event mid-stream: the usage so far, then the error; nothing after it counts',
    sse: chunk({ content: 'Hel' }, null, { usage: { prompt_tokens: 5, completion_tokens: 1 } }) + data({ error: { message: 'The server had an error while processing your request.', type: 'server_error', param: null, code: null } }) + chunk({ content: 'lo' }) + DONE,
    want: [start, { type: 'text', text: 'Hel' }, { type: 'usage', usage: { inputTokens: 5, outputTokens: 1 } }, { type: 'error', error: { status: 200, message: 'The server had an error while processing your request.', type: 'server_error' } }],
  },
  {
    name: 'an error as the first event of a 200 stream',
    sse: data({ error: { message: 'overloaded', type: 'server_error', code: 'overloaded' } }),
    want: [{ type: 'error', error: { status: 200, message: 'overloaded', type: 'overloaded' } }],
  },
  {
    name: 'an `event: error` with a plain-text message',
    sse: chunk({ content: 'a' }) + 'event: error\ndata: upstream timed out\n\n',
    want: [start, { type: 'text', text: 'a' }, { type: 'error', error: { status: 200, message: 'upstream timed out' } }],
  },
  { name: 'cut before the finish', sse: chunk({ content: 'Hel' }) + chunk({ content: 'lo' }), want: [start, { type: 'text', text: 'Hel' }, { type: 'text', text: 'lo' }, cut()] },
  {
    name: 'cut inside an event: the partial event is dropped',
    sse: chunk({ content: 'Hel' }) + 'data: {"id":"chatcmpl-9","choices":[{"index":0,"delta":{"content":"lo"}',
    want: [start, { type: 'text', text: 'Hel' }, cut()],
  },
  {
    name: 'cut after the finish but before the usage chunk and [DONE]',
    sse: chunk({ content: 'Hi' }) + chunk({}, 'stop'),
    want: [start, { type: 'text', text: 'Hi' }, { type: 'finish', reason: 'stop' }, cut()],
  },
  {
    name: 'cut after the usage chunk: the usage, then the cut',
    sse: chunk({ content: 'Hi' }) + chunk({}, 'stop') + usageChunk({ prompt_tokens: 2, completion_tokens: 1 }),
    want: [start, { type: 'text', text: 'Hi' }, { type: 'finish', reason: 'stop' }, { type: 'usage', usage: { inputTokens: 2, outputTokens: 1 } }, cut()],
  },
  { name: 'an empty body', sse: '', want: [cut()] },
];

describe('OpenAI stream decoding, fed whole and in awkward pieces', () => {
  for (const s of STREAMS) {
    test(s.name, () => assert.deepEqual(decodeEveryWay(() => adapter.chat.stream(), new TextEncoder().encode(s.sse)), s.want));
  }
});

describe('usage chunk in every form', () => {
  for (const u of USAGE_FORMS) {
    test(u.name, () => {
      const events = decodeInPieces(adapter.chat.stream(), [new TextEncoder().encode(chunk({}, 'stop') + usageChunk(u.wire) + DONE)]);
      assert.deepEqual(events.find((e) => e.type === 'usage'), u.want && { type: 'usage', usage: u.want });
    });
  }
});
