import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChatRequest } from '../../types.ts';
import { chatRequest } from '../common/testing.ts';
import { JSON_TOOL } from '../common/tools.ts';
import { converseBody } from './request.ts';

const hi = [{ role: 'user', content: [{ text: 'Hi' }] }];
const weather = { name: 'weather', description: 'Weather by city', parameters: { type: 'object', properties: { city: { type: 'string' } } } };
const weatherSpec = { toolSpec: { name: 'weather', description: 'Weather by city', inputSchema: { json: weather.parameters } } };
const toolHistory: ChatRequest['messages'] = [
  { role: 'user', parts: [{ type: 'text', text: 'Weather?' }] },
  { role: 'assistant', parts: [{ type: 'tool_call', id: 'tooluse_1', name: 'weather', arguments: '{"city":"Oslo"}' }] },
  { role: 'tool', parts: [{ type: 'tool_result', toolCallId: 'tooluse_1', content: '-3 °C' }] },
];

const cases: { name: string; req: Partial<ChatRequest>; want: Record<string, unknown> }[] = [
  {
    name: 'system messages become system blocks; sampling fields go to inferenceConfig; no end-user field',
    req: { messages: [{ role: 'system', parts: [{ type: 'text', text: 'Be brief.' }] }, { role: 'user', parts: [{ type: 'text', text: 'Hi' }] }], maxOutputTokens: 100, temperature: 0.2, topP: 0.9, stop: ['END'], user: 'u-1' },
    want: { messages: hi, system: [{ text: 'Be brief.' }], inferenceConfig: { maxTokens: 100, temperature: 0.2, topP: 0.9, stopSequences: ['END'] } },
  },
  {
    name: 'tool history: toolUse with parsed input, toolResult in a user turn (error status when it failed)',
    req: { messages: [...toolHistory, { role: 'tool', parts: [{ type: 'tool_result', toolCallId: 'x', content: 'boom', isError: true }] }], tools: [weather], toolChoice: 'auto' },
    want: {
      messages: [
        { role: 'user', content: [{ text: 'Weather?' }] },
        { role: 'assistant', content: [{ toolUse: { toolUseId: 'tooluse_1', name: 'weather', input: { city: 'Oslo' } } }] },
        {
          role: 'user',
          content: [
            { toolResult: { toolUseId: 'tooluse_1', content: [{ text: '-3 °C' }], status: 'success' } },
            { toolResult: { toolUseId: 'x', content: [{ text: 'boom' }], status: 'error' } },
          ],
        },
      ],
      toolConfig: { tools: [weatherSpec], toolChoice: { auto: {} } },
    },
  },
  {
    name: 'tool choice required → any, a named one → tool',
    req: { tools: [weather], toolChoice: 'required' },
    want: { messages: hi, toolConfig: { tools: [weatherSpec], toolChoice: { any: {} } } },
  },
  { name: 'tool choice none leaves the tools out', req: { tools: [weather], toolChoice: 'none' }, want: { messages: hi } },
  {
    name: 'tool choice none keeps them when the history holds tool blocks (Bedrock requires a toolConfig then)',
    req: { messages: toolHistory, tools: [weather], toolChoice: 'none' },
    want: {
      messages: [
        { role: 'user', content: [{ text: 'Weather?' }] },
        { role: 'assistant', content: [{ toolUse: { toolUseId: 'tooluse_1', name: 'weather', input: { city: 'Oslo' } } }] },
        { role: 'user', content: [{ toolResult: { toolUseId: 'tooluse_1', content: [{ text: '-3 °C' }], status: 'success' } }] },
      ],
      toolConfig: { tools: [weatherSpec] },
    },
  },
  {
    name: 'images as bytes and as S3 locations',
    req: { messages: [{ role: 'user', parts: [{ type: 'image', data: 'iVBORw0K', mediaType: 'image/png' }, { type: 'image', url: 's3://bucket/cat.jpeg', mediaType: 'image/jpeg' }] }] },
    want: { messages: [{ role: 'user', content: [{ image: { format: 'png', source: { bytes: 'iVBORw0K' } } }, { image: { format: 'jpeg', source: { s3Location: { uri: 's3://bucket/cat.jpeg' } } } }] }] },
  },
  {
    name: 'JSON output: a forced tool whose input schema is the wanted schema',
    req: { responseFormat: { type: 'json', schema: { type: 'object', properties: { n: { type: 'number' } } } } },
    want: { messages: hi, toolConfig: { tools: [{ toolSpec: { name: JSON_TOOL, description: "Give the answer as this tool's input.", inputSchema: { json: { type: 'object', properties: { n: { type: 'number' } } } } } }], toolChoice: { tool: { name: JSON_TOOL } } } },
  },
];
for (const c of cases) {
  test(`request: ${c.name}`, () => {
    assert.deepEqual(converseBody(chatRequest(c.req)), c.want);
  });
}

test('request: tool choice by name', () => {
  assert.deepEqual(converseBody(chatRequest({ tools: [weather], toolChoice: { name: 'weather' } })).toolConfig, { tools: [weatherSpec], toolChoice: { tool: { name: 'weather' } } });
});

test('request: JSON output beside the caller\'s tools is asked for in a system block', () => {
  const b = converseBody(chatRequest({ tools: [weather], responseFormat: { type: 'json' } }));
  assert.match(JSON.stringify(b.system), /single JSON value/);
  assert.deepEqual(b.toolConfig, { tools: [weatherSpec] });
});

test('request: images Converse cannot take are refused with the reason', () => {
  for (const [part, why] of [
    [{ type: 'image', url: 'https://img.test/cat.jpg', mediaType: 'image/jpeg' }, /not web URLs/],
    [{ type: 'image', data: 'AAAA', mediaType: 'image/tiff' }, /not image\/tiff/],
  ] as const) {
    assert.throws(() => converseBody(chatRequest({ messages: [{ role: 'user', parts: [part] }] })), why);
  }
});
