import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testRefusals, type Refusal } from '../../../../test/ai/dialects/helpers.ts';
import { parseChat } from './parse.ts';

const base = { model: 'fast', messages: [{ role: 'user', content: 'Hi' }] };

const accepted: { name: string; body: Record<string, unknown>; want: unknown }[] = [
  {
    name: 'a plain user message, not streamed',
    body: base,
    want: { operation: 'chat', request: { model: 'fast', messages: [{ role: 'user', parts: [{ type: 'text', text: 'Hi' }] }], stream: false } },
  },
  {
    name: 'system and developer roles become system messages; text parts stay parts',
    body: {
      model: 'fast',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'developer', content: [{ type: 'text', text: 'A' }, { type: 'text', text: 'B' }] },
        { role: 'user', content: 'Hi', name: 'ann' },
      ],
    },
    want: {
      operation: 'chat',
      request: {
        model: 'fast',
        messages: [
          { role: 'system', parts: [{ type: 'text', text: 'Be brief.' }] },
          { role: 'system', parts: [{ type: 'text', text: 'A' }, { type: 'text', text: 'B' }] },
          { role: 'user', parts: [{ type: 'text', text: 'Hi' }] },
        ],
        stream: false,
      },
    },
  },
  {
    name: 'images by URL and by data: URL',
    body: {
      model: 'fast',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.png', detail: 'low' } },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          ],
        },
      ],
    },
    want: {
      operation: 'chat',
      request: {
        model: 'fast',
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
        stream: false,
      },
    },
  },
  {
    name: 'a tool round trip: assistant tool_calls (content null) and the tool result',
    body: {
      model: 'fast',
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: [{ type: 'text', text: '18C' }, { type: 'text', text: 'sunny' }] },
      ],
      tools: [{ type: 'function', function: { name: 'weather', description: 'Weather now', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
      tool_choice: { type: 'function', function: { name: 'weather' } },
    },
    want: {
      operation: 'chat',
      request: {
        model: 'fast',
        messages: [
          { role: 'user', parts: [{ type: 'text', text: 'Weather in Paris?' }] },
          { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_1', name: 'weather', arguments: '{"city":"Paris"}' }] },
          { role: 'tool', parts: [{ type: 'tool_result', toolCallId: 'call_1', content: '18C\nsunny' }] },
        ],
        tools: [{ name: 'weather', description: 'Weather now', parameters: { type: 'object', properties: { city: { type: 'string' } } } }],
        toolChoice: { name: 'weather' },
        stream: false,
      },
    },
  },
  {
    name: 'legacy functions and function_call; a function without parameters takes none',
    body: { ...base, functions: [{ name: 'now' }], function_call: 'auto' },
    want: {
      operation: 'chat',
      request: { ...parsedBase(), tools: [{ name: 'now', parameters: { type: 'object', properties: {} } }], toolChoice: 'auto' },
    },
  },
  {
    name: 'sampling, limits, stop string, user; max_completion_tokens wins over max_tokens',
    body: { ...base, temperature: 0.2, top_p: 0.9, max_tokens: 50, max_completion_tokens: 100, stop: 'END', user: 'u-1', seed: 7, presence_penalty: 0 },
    want: { operation: 'chat', request: { ...parsedBase(), maxOutputTokens: 100, temperature: 0.2, topP: 0.9, stop: ['END'], user: 'u-1' } },
  },
  {
    name: 'max_tokens alone; stop array; nulls are as if unset',
    body: { ...base, max_tokens: 50, stop: ['a', 'b'], temperature: null, tools: null, n: 1 },
    want: { operation: 'chat', request: { ...parsedBase(), maxOutputTokens: 50, stop: ['a', 'b'] } },
  },
  {
    name: 'streamed with include_usage',
    body: { ...base, stream: true, stream_options: { include_usage: true } },
    want: { operation: 'chat', request: { ...parsedBase(), stream: true }, includeUsage: true },
  },
  {
    name: 'response_format json_object',
    body: { ...base, response_format: { type: 'json_object' } },
    want: { operation: 'chat', request: { ...parsedBase(), responseFormat: { type: 'json' } } },
  },
  {
    name: 'response_format json_schema',
    body: { ...base, response_format: { type: 'json_schema', json_schema: { name: 'answer', strict: true, schema: { type: 'object' } } } },
    want: { operation: 'chat', request: { ...parsedBase(), responseFormat: { type: 'json', name: 'answer', schema: { type: 'object' } } } },
  },
  {
    name: 'response_format text; tool_choice required',
    body: { ...base, response_format: { type: 'text' }, tool_choice: 'required' },
    want: { operation: 'chat', request: { ...parsedBase(), responseFormat: { type: 'text' }, toolChoice: 'required' } },
  },
  {
    name: 'an assistant refusal part from an earlier turn is kept as text',
    body: { model: 'fast', messages: [{ role: 'assistant', content: [{ type: 'refusal', refusal: 'No.' }] }] },
    want: { operation: 'chat', request: { model: 'fast', messages: [{ role: 'assistant', parts: [{ type: 'text', text: 'No.' }] }], stream: false } },
  },
];

function parsedBase() {
  return { model: 'fast', messages: [{ role: 'user', parts: [{ type: 'text', text: 'Hi' }] }], stream: false };
}

for (const c of accepted) {
  test(`chat parse: ${c.name}`, () => {
    assert.deepEqual(parseChat(c.body), c.want);
  });
}

const refused: Refusal[] = [
  { name: 'a body that is not an object', body: [1], path: '', message: /must be a JSON object/ },
  { name: 'no model', body: { messages: base.messages }, path: 'model', message: /is required/ },
  { name: 'model of the wrong type', body: { ...base, model: 3 }, path: 'model', message: /expected a string, got 3/ },
  { name: 'no messages', body: { model: 'fast', messages: [] }, path: 'messages', message: /at least 1 item/ },
  { name: 'an unknown role', body: { model: 'fast', messages: [{ role: 'function', content: 'x' }] }, path: 'messages[0].role', message: /unsupported role "function"; supported here: system, developer, user, assistant, tool/ },
  { name: 'content of the wrong type', body: { model: 'fast', messages: [{ role: 'user', content: 5 }] }, path: 'messages[0].content', message: /expected a string or an array, got 5/ },
  { name: 'an unsupported content part', body: { model: 'fast', messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: {} }] }] }, path: 'messages[0].content[0].type', message: /unsupported type "input_audio"; supported here: text, image_url/ },
  { name: 'an image part without image_url', body: { model: 'fast', messages: [{ role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'image_url' }] }] }, path: 'messages[0].content[1].image_url', message: /is required/ },
  { name: 'a data: URL that is not base64', body: { model: 'fast', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png,abc' } }] }] }, path: 'messages[0].content[0].image_url.url', message: /base64/ },
  { name: 'an image URL of another scheme', body: { model: 'fast', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'file:///etc/passwd' } }] }] }, path: 'messages[0].content[0].image_url.url', message: /http\(s\) or a data: URL/ },
  { name: 'a tool message without tool_call_id', body: { model: 'fast', messages: [{ role: 'tool', content: 'x' }] }, path: 'messages[0].tool_call_id', message: /is required/ },
  { name: 'an assistant message with neither content nor tool_calls', body: { model: 'fast', messages: [{ role: 'assistant', content: null }] }, path: 'messages[0].content', message: /content or tool_calls/ },
  { name: 'a legacy assistant function_call', body: { model: 'fast', messages: [{ role: 'assistant', content: null, function_call: { name: 'f', arguments: '{}' } }] }, path: 'messages[0].function_call', message: /legacy function_call/ },
  { name: 'n > 1', body: { ...base, n: 2 }, path: 'n', message: /n > 1 is not supported/ },
  { name: 'logprobs', body: { ...base, logprobs: true }, path: 'logprobs', message: /logprobs/ },
  { name: 'audio output', body: { ...base, modalities: ['text', 'audio'] }, path: 'modalities', message: /audio output/ },
  { name: 'temperature out of range', body: { ...base, temperature: 3 }, path: 'temperature', message: /at most 2 \(got 3\)/ },
  { name: 'max_tokens not an integer', body: { ...base, max_tokens: 1.5 }, path: 'max_tokens', message: /expected an integer/ },
  { name: 'a tool of another type', body: { ...base, tools: [{ type: 'custom', custom: { name: 'x' } }] }, path: 'tools[0].type', message: /must be "function" \(got "custom"\)/ },
  { name: 'an unknown response_format', body: { ...base, response_format: { type: 'yaml' } }, path: 'response_format.type', message: /unsupported type "yaml"/ },
  { name: 'stream not a boolean', body: { ...base, stream: 'yes' }, path: 'stream', message: /expected a boolean, got "yes"/ },
];

testRefusals('chat parse', parseChat, refused);
