import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChatRequest } from '../../types.ts';
import { chatRequest, target } from '../common/testing.ts';
import { JSON_TOOL } from '../common/tools.ts';
import { adapter } from './index.ts';

async function body(req: ChatRequest): Promise<Record<string, unknown>> {
  const call = await adapter.chat.call(req, target('anthropic'));
  return JSON.parse(String(call.body));
}

test('the call goes to /v1/messages with the key in x-api-key and the API version', async () => {
  const call = await adapter.chat.call(chatRequest(), target('anthropic'));
  assert.equal(call.url, 'https://provider.test/v1/messages');
  assert.equal(call.headers['x-api-key'], 'sk-secret-key');
  assert.equal(call.headers['anthropic-version'], '2023-06-01');
  assert.equal(call.headers['content-type'], 'application/json');
  assert.ok(!String(call.body).includes('sk-secret-key'), 'the key is only in its header');
  const pinned = await adapter.chat.call(chatRequest(), target('anthropic', { options: { version: '2024-01-01' } }));
  assert.equal(pinned.headers['anthropic-version'], '2024-01-01');
});

const cases: { name: string; req: Partial<ChatRequest>; want: Record<string, unknown> }[] = [
  {
    name: 'system messages become the top-level system; max_tokens defaults to 4096',
    req: {
      messages: [
        { role: 'system', parts: [{ type: 'text', text: 'Be brief.' }] },
        { role: 'system', parts: [{ type: 'text', text: 'Be kind.' }] },
        { role: 'user', parts: [{ type: 'text', text: 'Hi' }] },
      ],
    },
    want: { model: 'the-model', max_tokens: 4096, system: 'Be brief.\n\nBe kind.', messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] },
  },
  {
    name: 'sampling fields go through the parameter map',
    req: { maxOutputTokens: 100, temperature: 0.2, topP: 0.9, stop: ['END'], user: 'u-1', stream: true },
    want: { model: 'the-model', max_tokens: 100, temperature: 0.2, top_p: 0.9, stop_sequences: ['END'], metadata: { user_id: 'u-1' }, stream: true, messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] },
  },
  {
    name: 'tool calls become tool_use with parsed input; results travel in one user turn',
    req: {
      messages: [
        { role: 'user', parts: [{ type: 'text', text: 'Weather?' }] },
        { role: 'assistant', parts: [{ type: 'text', text: 'Checking.' }, { type: 'tool_call', id: 'tu_1', name: 'weather', arguments: '{"city":"Oslo"}' }, { type: 'tool_call', id: 'tu_2', name: 'time', arguments: '' }] },
        { role: 'tool', parts: [{ type: 'tool_result', toolCallId: 'tu_1', content: '-3 °C' }] },
        { role: 'tool', parts: [{ type: 'tool_result', toolCallId: 'tu_2', content: 'no clock', isError: true }] },
        { role: 'user', parts: [{ type: 'text', text: 'Thanks' }] },
      ],
      tools: [{ name: 'weather', description: 'Weather by city', parameters: { type: 'object', properties: { city: { type: 'string' } } } }, { name: 'time', parameters: { type: 'object' } }],
      toolChoice: 'required',
    },
    want: {
      model: 'the-model',
      max_tokens: 4096,
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Weather?' }] },
        { role: 'assistant', content: [{ type: 'text', text: 'Checking.' }, { type: 'tool_use', id: 'tu_1', name: 'weather', input: { city: 'Oslo' } }, { type: 'tool_use', id: 'tu_2', name: 'time', input: {} }] },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'tu_1', content: '-3 °C' },
            { type: 'tool_result', tool_use_id: 'tu_2', content: 'no clock', is_error: true },
            { type: 'text', text: 'Thanks' },
          ],
        },
      ],
      tools: [{ name: 'weather', description: 'Weather by city', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }, { name: 'time', input_schema: { type: 'object' } }],
      tool_choice: { type: 'any' },
    },
  },
  {
    name: 'images by inline data and by URL',
    req: { messages: [{ role: 'user', parts: [{ type: 'image', data: 'iVBORw0K', mediaType: 'image/png' }, { type: 'image', url: 'https://img.test/cat.jpg' }, { type: 'text', text: 'Same cat?' }] }] },
    want: {
      model: 'the-model',
      max_tokens: 4096,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0K' } },
            { type: 'image', source: { type: 'url', url: 'https://img.test/cat.jpg' } },
            { type: 'text', text: 'Same cat?' },
          ],
        },
      ],
    },
  },
  {
    name: 'JSON output without tools of the caller: a forced tool whose input schema is the wanted schema',
    req: { responseFormat: { type: 'json', schema: { type: 'object', properties: { n: { type: 'number' } } } } },
    want: {
      model: 'the-model',
      max_tokens: 4096,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
      tools: [{ name: JSON_TOOL, description: "Give the answer as this tool's input.", input_schema: { type: 'object', properties: { n: { type: 'number' } } } }],
      tool_choice: { type: 'tool', name: JSON_TOOL },
    },
  },
];

for (const c of cases) {
  test(`request: ${c.name}`, async () => {
    assert.deepEqual(await body(chatRequest(c.req)), c.want);
  });
}

const choices: [ChatRequest['toolChoice'], unknown][] = [
  ['auto', { type: 'auto' }],
  ['none', { type: 'none' }],
  ['required', { type: 'any' }],
  [{ name: 'weather' }, { type: 'tool', name: 'weather' }],
  [undefined, undefined],
];
for (const [choice, want] of choices) {
  test(`request: tool choice ${JSON.stringify(choice)} → ${JSON.stringify(want)}`, async () => {
    const b = await body(chatRequest({ tools: [{ name: 'weather', parameters: { type: 'object' } }], toolChoice: choice }));
    assert.deepEqual(b.tool_choice, want);
  });
}

test('request: JSON output beside the caller\'s own tools, or for a non-object schema, is asked for in the system prompt', async () => {
  const withTools = chatRequest({ responseFormat: { type: 'json' }, tools: [{ name: 'weather', parameters: { type: 'object' } }] });
  const arraySchema = chatRequest({
    responseFormat: { type: 'json', schema: { type: 'array', items: { type: 'string' } } },
    messages: [{ role: 'system', parts: [{ type: 'text', text: 'Be brief.' }] }, { role: 'user', parts: [{ type: 'text', text: 'Hi' }] }],
  });
  for (const req of [withTools, arraySchema]) {
    const b = await body(req);
    assert.match(String(b.system), /single JSON value/);
    assert.ok(!JSON.stringify(b.tools ?? []).includes(JSON_TOOL));
    assert.equal(b.tool_choice, undefined);
  }
  assert.match(String((await body(arraySchema)).system), /^Be brief\.\n\n.*\{"type":"array","items":\{"type":"string"\}\}/s);
});

test('request: tool call arguments that are not a JSON object are refused, not sent altered', async () => {
  for (const args of ['{"city":', '[1,2]', '"Oslo"']) {
    const req = chatRequest({ messages: [{ role: 'assistant', parts: [{ type: 'tool_call', id: 't', name: 'weather', arguments: args }] }] });
    assert.throws(() => adapter.chat.call(req, target('anthropic')), /arguments of tool call 'weather'/);
  }
});

test('request: under API version 2026-10-21 and later, temperature and top_p are not sent (that version refuses them)', async () => {
  const req = chatRequest({ temperature: 0.2, topP: 0.9, maxOutputTokens: 10, stop: ['END'] });
  for (const version of ['2026-10-21', '2027-01-01']) {
    const call = await adapter.chat.call(req, target('anthropic', { options: { version } }));
    assert.equal(call.headers['anthropic-version'], version);
    assert.deepEqual(JSON.parse(String(call.body)), { model: 'the-model', max_tokens: 10, stop_sequences: ['END'], messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] });
  }
  const old = JSON.parse(String((await adapter.chat.call(req, target('anthropic'))).body));
  assert.deepEqual([old.temperature, old.top_p], [0.2, 0.9]);
});
