import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChatRequest } from '../../types.ts';
import { chatRequest, target } from '../common/testing.ts';
import { adapter } from './index.ts';

const local = target('ollama', { baseUrl: 'http://127.0.0.1:11434', model: 'llama3.2', credentials: {} });
const body = async (over: Partial<ChatRequest>) => JSON.parse(String((await adapter.chat.call(chatRequest(over), local)).body)) as Record<string, unknown>;
const tools = [
  { name: 'get_weather', description: 'Weather by city', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
  { name: 'now', parameters: { type: 'object' } },
];

test('URL /api/chat on the default base, no auth header without a key, Bearer with one', async () => {
  assert.equal(adapter.defaultBaseUrl, 'http://127.0.0.1:11434');
  const call = await adapter.chat.call(chatRequest(), local);
  assert.equal(call.url, 'http://127.0.0.1:11434/api/chat');
  assert.equal(call.headers.authorization, undefined);
  const keyed = await adapter.chat.call(chatRequest(), { ...local, credentials: { apiKey: 'k1' } });
  assert.equal(keyed.headers.authorization, 'Bearer k1');
});

const cases: { name: string; req: Partial<ChatRequest>; want: Record<string, unknown>; absent?: string[] }[] = [
  { name: 'stream is always sent, false too (Ollama streams by default)', req: {}, want: { model: 'llama3.2', stream: false, messages: [{ role: 'user', content: 'Hi' }] }, absent: ['options', 'format', 'tools'] },
  { name: 'streamed', req: { stream: true }, want: { stream: true }, absent: ['stream_options'] },
  {
    name: 'sampling in options: num_predict, temperature, top_p, stop; no user field',
    req: { maxOutputTokens: 42, temperature: 0.1, topP: 0.5, stop: ['###'], user: 'u1' },
    want: { options: { num_predict: 42, temperature: 0.1, top_p: 0.5, stop: ['###'] } },
    absent: ['user'],
  },
  { name: 'JSON output without a schema is format "json"', req: { responseFormat: { type: 'json' } }, want: { format: 'json' } },
  { name: 'JSON output with a schema is the schema as format', req: { responseFormat: { type: 'json', schema: { type: 'object', required: ['a'] } } }, want: { format: { type: 'object', required: ['a'] } } },
  { name: 'text output sends no format', req: { responseFormat: { type: 'text' } }, want: {}, absent: ['format'] },
  {
    name: 'system message and images as bare base64 (inline data and a data: URL)',
    req: {
      messages: [
        { role: 'system', parts: [{ type: 'text', text: 'Be brief.' }, { type: 'text', text: 'Answer in French.' }] },
        {
          role: 'user',
          parts: [
            { type: 'text', text: 'What is in these?' },
            { type: 'image', data: 'AAAA', mediaType: 'image/png' },
            { type: 'image', url: 'data:image/jpeg;base64,BBBB' },
          ],
        },
      ],
    },
    want: { messages: [{ role: 'system', content: 'Be brief.\n\nAnswer in French.' }, { role: 'user', content: 'What is in these?', images: ['AAAA', 'BBBB'] }] },
  },
  {
    name: 'tools; an assistant tool call with arguments as an object; its result names the function',
    req: {
      tools,
      messages: [
        { role: 'user', parts: [{ type: 'text', text: 'Weather in Oslo?' }] },
        { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_0', name: 'get_weather', arguments: '{"city":"Oslo"}' }] },
        { role: 'tool', parts: [{ type: 'tool_result', toolCallId: 'call_0', content: '-3C' }] },
      ],
    },
    want: {
      tools: [
        { type: 'function', function: { name: 'get_weather', description: 'Weather by city', parameters: { type: 'object', properties: { city: { type: 'string' } } } } },
        { type: 'function', function: { name: 'now', parameters: { type: 'object' } } },
      ],
      messages: [
        { role: 'user', content: 'Weather in Oslo?' },
        { role: 'assistant', content: '', tool_calls: [{ function: { name: 'get_weather', arguments: { city: 'Oslo' } } }] },
        { role: 'tool', content: '-3C', tool_name: 'get_weather' },
      ],
    },
  },
  { name: "tool choice 'none' offers no tools", req: { tools, toolChoice: 'none' }, want: {}, absent: ['tools'] },
  { name: 'a named tool choice offers only that tool', req: { tools, toolChoice: { name: 'now' } }, want: { tools: [{ type: 'function', function: { name: 'now', parameters: { type: 'object' } } }] } },
];
for (const c of cases) {
  test(`request body: ${c.name}`, async () => {
    const got = await body(c.req);
    for (const [k, v] of Object.entries(c.want)) assert.deepEqual(got[k], v, k);
    for (const k of c.absent ?? []) assert.equal(k in got, false, `${k} is not sent`);
  });
}

const refused: { name: string; req: Partial<ChatRequest>; error: RegExp }[] = [
  { name: 'an image by http URL (Ollama fetches nothing)', req: { messages: [{ role: 'user', parts: [{ type: 'image', url: 'https://example.com/a.png' }] }] }, error: /base64 data only/ },
  { name: 'tool call arguments that are not JSON', req: { messages: [{ role: 'assistant', parts: [{ type: 'tool_call', id: 'c', name: 'f', arguments: '{oops' }] }] }, error: /not valid JSON/ },
];
for (const r of refused) {
  test(`refused, not sent altered: ${r.name}`, async () => {
    await assert.rejects(async () => adapter.chat.call(chatRequest(r.req), local), r.error);
  });
}

test('embeddings: /api/embed with the inputs and dimensions', async () => {
  const call = await adapter.embeddings!.call({ model: 'a', input: ['x', 'y'], dimensions: 4 }, { ...local, model: 'nomic-embed-text' });
  assert.equal(call.url, 'http://127.0.0.1:11434/api/embed');
  assert.deepEqual(JSON.parse(String(call.body)), { model: 'nomic-embed-text', input: ['x', 'y'], dimensions: 4 });
});
