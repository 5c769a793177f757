import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testRefusals, type Refusal } from '../../../../test/ai/dialects/helpers.ts';
import { parseMessages } from './parse.ts';

const base = { model: 'claude', max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }] };
const user = (text: string) => ({ role: 'user', parts: [{ type: 'text', text }] });
const parsedBase = { model: 'claude', messages: [user('Hi')], maxOutputTokens: 100, stream: false };

const accepted: { name: string; body: Record<string, unknown>; want: Record<string, unknown> }[] = [
  { name: 'a plain message; max_tokens is the output limit', body: base, want: parsedBase },
  {
    name: 'system as a string; sampling, stop sequences, the end user, streamed',
    body: { ...base, system: 'Be brief.', temperature: 0.3, top_p: 0.9, top_k: 5, stop_sequences: ['\n\nHuman:'], metadata: { user_id: 'u-1' }, stream: true },
    want: { ...parsedBase, messages: [{ role: 'system', parts: [{ type: 'text', text: 'Be brief.' }] }, user('Hi')], temperature: 0.3, topP: 0.9, stop: ['\n\nHuman:'], user: 'u-1', stream: true },
  },
  {
    name: 'system as text blocks (cache_control ignored)',
    body: { ...base, system: [{ type: 'text', text: 'A' }, { type: 'text', text: 'B', cache_control: { type: 'ephemeral' } }] },
    want: { ...parsedBase, messages: [{ role: 'system', parts: [{ type: 'text', text: 'A' }, { type: 'text', text: 'B' }] }, user('Hi')] },
  },
  {
    name: 'images by base64 and by URL',
    body: {
      ...base,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/a.jpg' } },
            { type: 'text', text: 'Compare.' },
          ],
        },
      ],
    },
    want: {
      ...parsedBase,
      messages: [
        {
          role: 'user',
          parts: [
            { type: 'image', data: 'iVBORw0KGgo=', mediaType: 'image/png' },
            { type: 'image', url: 'https://example.com/a.jpg' },
            { type: 'text', text: 'Compare.' },
          ],
        },
      ],
    },
  },
  {
    name: 'a tool round trip: tool_use with its input as JSON text; tool results split out of the user message, in order; thinking dropped',
    body: {
      ...base,
      messages: [
        { role: 'user', content: 'Weather in Paris and Rome?' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: '...', signature: 'sig' },
            { type: 'text', text: 'Checking.' },
            { type: 'tool_use', id: 'toolu_a', name: 'weather', input: { city: 'Paris' } },
            { type: 'tool_use', id: 'toolu_b', name: 'weather', input: { city: 'Rome' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_a', content: '18C' },
            { type: 'tool_result', tool_use_id: 'toolu_b', content: [{ type: 'text', text: 'no data' }], is_error: true },
            { type: 'text', text: 'And tomorrow?' },
          ],
        },
      ],
      tools: [{ name: 'weather', description: 'Weather now', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
      tool_choice: { type: 'tool', name: 'weather' },
    },
    want: {
      ...parsedBase,
      messages: [
        user('Weather in Paris and Rome?'),
        {
          role: 'assistant',
          parts: [
            { type: 'text', text: 'Checking.' },
            { type: 'tool_call', id: 'toolu_a', name: 'weather', arguments: '{"city":"Paris"}' },
            { type: 'tool_call', id: 'toolu_b', name: 'weather', arguments: '{"city":"Rome"}' },
          ],
        },
        { role: 'tool', parts: [{ type: 'tool_result', toolCallId: 'toolu_a', content: '18C' }] },
        { role: 'tool', parts: [{ type: 'tool_result', toolCallId: 'toolu_b', content: 'no data', isError: true }] },
        user('And tomorrow?'),
      ],
      tools: [{ name: 'weather', description: 'Weather now', parameters: { type: 'object', properties: { city: { type: 'string' } } } }],
      toolChoice: { name: 'weather' },
    },
  },
  { name: 'tool_choice any is required', body: { ...base, tool_choice: { type: 'any' } }, want: { ...parsedBase, toolChoice: 'required' } },
  { name: 'tool_choice none', body: { ...base, tool_choice: { type: 'none' } }, want: { ...parsedBase, toolChoice: 'none' } },
  { name: 'tool_choice auto; a custom tool typed as such', body: { ...base, tool_choice: { type: 'auto', disable_parallel_tool_use: true }, tools: [{ type: 'custom', name: 't', input_schema: { type: 'object' } }] }, want: { ...parsedBase, toolChoice: 'auto', tools: [{ name: 't', parameters: { type: 'object' } }] } },
  { name: 'thinking disabled is as if unset', body: { ...base, thinking: { type: 'disabled' } }, want: parsedBase },
];

for (const c of accepted) {
  test(`messages parse: ${c.name}`, () => assert.deepEqual(parseMessages(c.body), { operation: 'chat', request: c.want }));
}

const refused: Refusal[] = [
  { name: 'no max_tokens', body: { model: 'claude', messages: base.messages }, path: 'max_tokens', message: /is required/ },
  { name: 'max_tokens 0', body: { ...base, max_tokens: 0 }, path: 'max_tokens', message: /at least 1/ },
  { name: 'a system role in messages', body: { ...base, messages: [{ role: 'system', content: 'x' }] }, path: 'messages[0].role', message: /unsupported role "system"; supported here: user, assistant/ },
  { name: 'a document block', body: { ...base, messages: [{ role: 'user', content: [{ type: 'document', source: {} }] }] }, path: 'messages[0].content[0].type', message: /unsupported type "document"; supported here: text, image, tool_result/ },
  { name: 'tool_use in a user message', body: { ...base, messages: [{ role: 'user', content: [{ type: 'tool_use', id: 'x', name: 'f', input: {} }] }] }, path: 'messages[0].content[0].type', message: /unsupported type "tool_use"/ },
  { name: 'an image source of another kind', body: { ...base, messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'file', file_id: 'f' } }] }] }, path: 'messages[0].content[0].source.type', message: /unsupported type "file"; supported here: base64, url/ },
  { name: 'an image URL of another scheme', body: { ...base, messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'url', url: 'ftp://x/y.png' } }] }] }, path: 'messages[0].content[0].source.url', message: /http\(s\)/ },
  { name: 'tool_use input that is not an object', body: { ...base, messages: [{ role: 'assistant', content: [{ type: 'tool_use', id: 'x', name: 'f', input: 'a' }] }] }, path: 'messages[0].content[0].input', message: /expected an object, got "a"/ },
  { name: 'an image in a tool_result', body: { ...base, messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'image', source: { type: 'url', url: 'https://x/y.png' } }] }] }] }, path: 'messages[0].content[0].content[0]', message: /only text/ },
  { name: 'a server tool', body: { ...base, tools: [{ type: 'web_search_20250305', name: 'web_search' }] }, path: 'tools[0].type', message: /only custom tools .* server tools .* are not/ },
  { name: 'a tool without input_schema', body: { ...base, tools: [{ name: 'f' }] }, path: 'tools[0].input_schema', message: /is required/ },
  { name: 'an unknown tool_choice', body: { ...base, tool_choice: { type: 'some' } }, path: 'tool_choice.type', message: /unsupported type "some"; supported here: auto, any, none, tool/ },
  { name: 'temperature above 1', body: { ...base, temperature: 1.5 }, path: 'temperature', message: /at most 1 \(got 1.5\)/ },
  { name: 'extended thinking', body: { ...base, thinking: { type: 'enabled', budget_tokens: 1024 } }, path: 'thinking', message: /extended thinking is not supported/ },
  { name: 'stop_sequences as a string', body: { ...base, stop_sequences: 'END' }, path: 'stop_sequences', message: /expected an array, got "END"/ },
];

testRefusals('messages parse', parseMessages, refused);
