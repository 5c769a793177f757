import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StreamEvent } from '../../types.ts';
import { decodeEveryWay } from '../common/testing.ts';
import { adapter } from './index.ts';

const line = (v: unknown) => `${JSON.stringify(v)}\n`;
const piece = (content: string, extra: Record<string, unknown> = {}) => line({ model: 'llama3.2', created_at: '2026-01-01T00:00:00Z', message: { role: 'assistant', content, ...extra }, done: false });
const last = (extra: Record<string, unknown> = {}) => line({ model: 'llama3.2', created_at: '2026-01-01T00:00:01Z', message: { role: 'assistant', content: '' }, done: true, done_reason: 'stop', ...extra });
const cut: StreamEvent = { type: 'error', error: { status: 200, type: 'stream_cut', message: "Ollama's stream ended before its end marker (connection closed mid-answer)" } };

const decode = (ndjson: string) => decodeEveryWay(() => adapter.chat.stream(), new TextEncoder().encode(ndjson));
/** Ollama names no completion: the id is made from the first line's created_at. */
const start: StreamEvent = { type: 'start', id: 'ollama-2026-01-01T00:00:00Z', model: 'llama3.2' };

const streams: { name: string; ndjson: string; want: StreamEvent[] }[] = [
  {
    name: 'text of 2-, 3- and 4-byte characters, then done with the counts',
    ndjson: piece('Grüß ') + piece('日本 ') + piece('🦙') + last({ prompt_eval_count: 12, eval_count: 3 }),
    want: [start, { type: 'text', text: 'Grüß ' }, { type: 'text', text: '日本 ' }, { type: 'text', text: '🦙' }, { type: 'finish', reason: 'stop' }, { type: 'usage', usage: { inputTokens: 12, outputTokens: 3 } }],
  },
  {
    name: 'tool calls arrive whole, one event each with id, name and all arguments',
    ndjson: piece('', { tool_calls: [{ function: { name: 'get_weather', arguments: { city: 'Zürich' } } }, { function: { name: 'now', arguments: {} } }] }) + last({ eval_count: 9 }),
    want: [
      start,
      { type: 'tool_call', index: 0, id: 'call_0', name: 'get_weather', argumentsDelta: '{"city":"Zürich"}' },
      { type: 'tool_call', index: 1, id: 'call_1', name: 'now', argumentsDelta: '{}' },
      { type: 'finish', reason: 'tool_calls' },
      { type: 'usage', usage: { inputTokens: 0, outputTokens: 9 } },
    ],
  },
  { name: 'done with length and no counts', ndjson: piece('abc') + last({ done_reason: 'length' }), want: [start, { type: 'text', text: 'abc' }, { type: 'finish', reason: 'length' }] },
  { name: 'a last line without its newline is still read', ndjson: piece('abc') + last().trimEnd(), want: [start, { type: 'text', text: 'abc' }, { type: 'finish', reason: 'stop' }] },
  {
    name: 'an error line mid-stream ends it; nothing after counts',
    ndjson: piece('Hel') + line({ error: 'an error was encountered while running the model: unexpected EOF' }) + piece('lo') + last(),
    want: [start, { type: 'text', text: 'Hel' }, { type: 'error', error: { status: 200, message: 'an error was encountered while running the model: unexpected EOF' } }],
  },
  { name: 'an error as the first line of a 200', ndjson: line({ error: 'model requires more system memory' }), want: [{ type: 'error', error: { status: 200, message: 'model requires more system memory' } }] },
  { name: 'cut before done', ndjson: piece('Hel') + piece('lo'), want: [start, { type: 'text', text: 'Hel' }, { type: 'text', text: 'lo' }, cut] },
  { name: 'cut inside a line: the partial line is dropped', ndjson: piece('Hel') + '{"model":"llama3.2","message":{"role":"assistant","content":"lo', want: [start, { type: 'text', text: 'Hel' }, cut] },
  { name: 'an empty body', ndjson: '', want: [cut] },
];
for (const s of streams) {
  test(`NDJSON stream, fed whole and in awkward pieces: ${s.name}`, () => assert.deepEqual(decode(s.ndjson), s.want));
}
