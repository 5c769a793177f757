import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChatRequest } from '../../types.ts';
import type { HttpCall } from '../types.ts';
import { chatRequest, target as testTarget } from '../common/testing.ts';
import { adapter } from './index.ts';

const target = testTarget('openai', { baseUrl: 'https://api.openai.com/v1', model: 'gpt-4o-mini' });
const user = (text: string) => ({ role: 'user' as const, parts: [{ type: 'text' as const, text }] });
const base = chatRequest({ messages: [user('hi')] });

async function body(req: Partial<ChatRequest>, t = target): Promise<Record<string, unknown>> {
  const call = (await adapter.chat.call({ ...base, ...req }, t)) as HttpCall;
  return JSON.parse(String(call.body));
}

test('URL, Bearer key, JSON content type, and the provider model (not the alias)', async () => {
  const call = await adapter.chat.call(base, target);
  assert.equal(call.url, 'https://api.openai.com/v1/chat/completions');
  assert.equal(call.headers.authorization, 'Bearer sk-secret-key');
  assert.equal(call.headers['content-type'], 'application/json');
  assert.equal(JSON.parse(String(call.body)).model, 'gpt-4o-mini');
  assert.equal(adapter.defaultBaseUrl, 'https://api.openai.com/v1');
});

test('organization and project options become OpenAI-Organization / OpenAI-Project', async () => {
  const call = await adapter.chat.call(base, { ...target, options: { organization: 'org-1', project: 'proj_2' } });
  assert.equal(call.headers['openai-organization'], 'org-1');
  assert.equal(call.headers['openai-project'], 'proj_2');
  assert.equal((await adapter.chat.call(base, target)).headers['openai-organization'], undefined);
});

const cases: { name: string; req: Partial<ChatRequest>; want: Record<string, unknown>; absent?: string[] }[] = [
  { name: 'a plain call sends only model and messages', req: {}, want: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }, absent: ['stream', 'stream_options', 'max_completion_tokens', 'tools', 'response_format'] },
  {
    name: 'sampling fields through the parameter map',
    req: { maxOutputTokens: 100, temperature: 0.2, topP: 0.9, stop: ['END'], user: 'u-1' },
    want: { max_completion_tokens: 100, temperature: 0.2, top_p: 0.9, stop: ['END'], user: 'u-1' },
    absent: ['max_tokens'],
  },
  { name: 'streaming asks for the usage chunk', req: { stream: true }, want: { stream: true, stream_options: { include_usage: true } } },
  {
    name: 'system messages first, several text parts joined',
    req: { messages: [{ role: 'system', parts: [{ type: 'text', text: 'Be brief.' }, { type: 'text', text: 'Be kind.' }] }, user('hi')] },
    want: { messages: [{ role: 'system', content: 'Be brief.\n\nBe kind.' }, { role: 'user', content: 'hi' }] },
  },
  {
    name: 'images by URL and as base64 data',
    req: {
      messages: [
        {
          role: 'user',
          parts: [
            { type: 'text', text: 'What is this?' },
            { type: 'image', url: 'https://example.com/cat.png' },
            { type: 'image', data: 'iVBORw0KGgo=', mediaType: 'image/png' },
          ],
        },
      ],
    },
    want: {
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          ],
        },
      ],
    },
  },
  {
    name: 'tools, a forced tool choice, an assistant tool call and its results (out of a user message first)',
    req: {
      tools: [{ name: 'get_weather', description: 'Weather by city', parameters: { type: 'object', properties: { city: { type: 'string' } } } }, { name: 'now', parameters: { type: 'object' } }],
      toolChoice: { name: 'get_weather' },
      messages: [
        user('weather in Paris and Rome?'),
        {
          role: 'assistant',
          parts: [
            { type: 'text', text: 'Checking.' },
            { type: 'tool_call', id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}' },
            { type: 'tool_call', id: 'call_b', name: 'get_weather', arguments: '{"city":"Rome"}' },
          ],
        },
        {
          role: 'user',
          parts: [
            { type: 'tool_result', toolCallId: 'call_a', content: '21C' },
            { type: 'tool_result', toolCallId: 'call_b', content: 'unknown city', isError: true },
            { type: 'text', text: 'And tomorrow?' },
          ],
        },
      ],
    },
    want: {
      tools: [
        { type: 'function', function: { name: 'get_weather', description: 'Weather by city', parameters: { type: 'object', properties: { city: { type: 'string' } } } } },
        { type: 'function', function: { name: 'now', parameters: { type: 'object' } } },
      ],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      messages: [
        { role: 'user', content: 'weather in Paris and Rome?' },
        {
          role: 'assistant',
          content: 'Checking.',
          tool_calls: [
            { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
            { id: 'call_b', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_a', content: '21C' },
        { role: 'tool', tool_call_id: 'call_b', content: 'unknown city' },
        { role: 'user', content: 'And tomorrow?' },
      ],
    },
  },
  {
    name: "an assistant message with only tool calls has null content; results in a 'tool' message",
    req: {
      toolChoice: 'required',
      messages: [
        { role: 'assistant', parts: [{ type: 'tool_call', id: 'c1', name: 'now', arguments: '' }] },
        { role: 'tool', parts: [{ type: 'tool_result', toolCallId: 'c1', content: '12:00' }] },
      ],
    },
    want: {
      tool_choice: 'required',
      messages: [
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'now', arguments: '' } }] },
        { role: 'tool', tool_call_id: 'c1', content: '12:00' },
      ],
    },
  },
  { name: 'JSON output without a schema is json_object', req: { responseFormat: { type: 'json' } }, want: { response_format: { type: 'json_object' } } },
  {
    name: 'JSON output with a schema is json_schema, named',
    req: { responseFormat: { type: 'json', name: 'answer', schema: { type: 'object', properties: { a: { type: 'number' } } } } },
    want: { response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object', properties: { a: { type: 'number' } } } } } },
  },
  { name: 'text output is the default and not sent', req: { responseFormat: { type: 'text' } }, want: {}, absent: ['response_format'] },
];

for (const c of cases) {
  test(`request body: ${c.name}`, async () => {
    const got = await body(c.req);
    for (const [k, v] of Object.entries(c.want)) assert.deepEqual(got[k], v, k);
    for (const k of c.absent ?? []) assert.equal(k in got, false, `${k} is not sent`);
  });
}

test('embeddings: URL, key, model and input; dimensions and user when set', async () => {
  const call = await adapter.embeddings!.call({ model: 'alias', input: ['a', 'b'], dimensions: 256, user: 'u' }, { ...target, model: 'text-embedding-3-small' });
  assert.equal(call.url, 'https://api.openai.com/v1/embeddings');
  assert.equal(call.headers.authorization, 'Bearer sk-secret-key');
  assert.deepEqual(JSON.parse(String(call.body)), { model: 'text-embedding-3-small', input: ['a', 'b'], dimensions: 256, user: 'u' });
});

test('an image part with neither url nor data is refused, not sent empty', async () => {
  await assert.rejects(async () => body({ messages: [{ role: 'user', parts: [{ type: 'text', text: 'x' }, { type: 'image' }] }] }), /neither url nor data/);
});
