import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testRefusals, type Refusal } from '../../../../test/ai/dialects/helpers.ts';
import { parseResponses } from './parse.ts';

const user = (text: string) => ({ role: 'user', parts: [{ type: 'text', text }] });

const accepted: { name: string; body: Record<string, unknown>; want: Record<string, unknown> }[] = [
  { name: 'input as a string', body: { model: 'fast', input: 'Hi' }, want: { model: 'fast', messages: [user('Hi')], stream: false } },
  {
    name: 'instructions become the first system message; limits, sampling, user',
    body: { model: 'fast', input: 'Hi', instructions: 'Be brief.', max_output_tokens: 64, temperature: 0.5, top_p: 0.8, user: 'u-1', stream: true, store: false },
    want: { model: 'fast', messages: [{ role: 'system', parts: [{ type: 'text', text: 'Be brief.' }] }, user('Hi')], maxOutputTokens: 64, temperature: 0.5, topP: 0.8, user: 'u-1', stream: true },
  },
  {
    name: 'message items: the easy form and typed ones, developer as system, text and images',
    body: {
      model: 'fast',
      input: [
        { role: 'developer', content: 'Rules.' },
        {
          type: 'message',
          role: 'user',
          content: [
            { type: 'input_text', text: 'What is this?' },
            { type: 'input_image', image_url: 'data:image/jpeg;base64,/9j/4AAQ', detail: 'auto' },
            { type: 'input_image', image_url: 'https://example.com/a.png' },
          ],
        },
        { role: 'assistant', content: [{ type: 'output_text', text: 'A cat.', annotations: [] }] },
      ],
    },
    want: {
      model: 'fast',
      messages: [
        { role: 'system', parts: [{ type: 'text', text: 'Rules.' }] },
        {
          role: 'user',
          parts: [
            { type: 'text', text: 'What is this?' },
            { type: 'image', data: '/9j/4AAQ', mediaType: 'image/jpeg' },
            { type: 'image', url: 'https://example.com/a.png' },
          ],
        },
        { role: 'assistant', parts: [{ type: 'text', text: 'A cat.' }] },
      ],
      stream: false,
    },
  },
  {
    name: 'parallel function calls join one assistant turn; their outputs are tool messages; reasoning items are dropped',
    body: {
      model: 'fast',
      input: [
        { role: 'user', content: 'Weather in Paris and Rome?' },
        { type: 'reasoning', id: 'rs_1', summary: [] },
        { type: 'function_call', id: 'fc_1', call_id: 'call_a', name: 'weather', arguments: '{"city":"Paris"}' },
        { type: 'function_call', id: 'fc_2', call_id: 'call_b', name: 'weather', arguments: '{"city":"Rome"}' },
        { type: 'function_call_output', call_id: 'call_a', output: '18C' },
        { type: 'function_call_output', call_id: 'call_b', output: [{ type: 'input_text', text: '25C' }] },
      ],
      tools: [{ type: 'function', name: 'weather', description: 'Weather now', parameters: { type: 'object' }, strict: true }],
      tool_choice: { type: 'function', name: 'weather' },
    },
    want: {
      model: 'fast',
      messages: [
        user('Weather in Paris and Rome?'),
        {
          role: 'assistant',
          parts: [
            { type: 'tool_call', id: 'call_a', name: 'weather', arguments: '{"city":"Paris"}' },
            { type: 'tool_call', id: 'call_b', name: 'weather', arguments: '{"city":"Rome"}' },
          ],
        },
        { role: 'tool', parts: [{ type: 'tool_result', toolCallId: 'call_a', content: '18C' }] },
        { role: 'tool', parts: [{ type: 'tool_result', toolCallId: 'call_b', content: '25C' }] },
      ],
      tools: [{ name: 'weather', description: 'Weather now', parameters: { type: 'object' } }],
      toolChoice: { name: 'weather' },
      stream: false,
    },
  },
  {
    name: 'text.format json_schema; tool_choice none',
    body: { model: 'fast', input: 'Hi', text: { format: { type: 'json_schema', name: 'answer', schema: { type: 'object' }, strict: true } }, tool_choice: 'none' },
    want: { model: 'fast', messages: [user('Hi')], responseFormat: { type: 'json', name: 'answer', schema: { type: 'object' } }, toolChoice: 'none', stream: false },
  },
  {
    name: 'text.format json_object and text; safety_identifier as the user',
    body: { model: 'fast', input: 'Hi', text: { format: { type: 'json_object' } }, safety_identifier: 'hash-1' },
    want: { model: 'fast', messages: [user('Hi')], responseFormat: { type: 'json' }, user: 'hash-1', stream: false },
  },
  {
    name: 'previous_response_id null is as if unset',
    body: { model: 'fast', input: 'Hi', previous_response_id: null, text: { format: { type: 'text' } } },
    want: { model: 'fast', messages: [user('Hi')], responseFormat: { type: 'text' }, stream: false },
  },
];

for (const c of accepted) {
  test(`responses parse: ${c.name}`, () => {
    const parsed = parseResponses(c.body);
    assert.equal(parsed.operation, 'chat');
    assert.deepEqual(parsed.operation === 'chat' && parsed.request, c.want);
  });
}

/** What the response echoes of a request that set nothing. */
const unset = {
  instructions: null,
  max_output_tokens: null,
  temperature: null,
  top_p: null,
  tools: [],
  tool_choice: 'auto',
  text: { format: { type: 'text' }, verbosity: null },
  metadata: {},
  safety_identifier: null,
};

const echoes: { name: string; body: Record<string, unknown>; want: Record<string, unknown> }[] = [
  { name: 'a request that sets nothing: the defaults, sampling null (the provider\'s own applies)', body: { model: 'fast', input: 'Hi' }, want: unset },
  {
    name: 'instructions, limits, sampling, metadata, user and safety identifier as sent',
    body: { model: 'fast', input: 'Hi', instructions: 'Be brief.', max_output_tokens: 64, temperature: 0.5, top_p: 0.8, metadata: { ticket: 'T-1' }, user: 'u-1', safety_identifier: 'hash-1' },
    want: { ...unset, instructions: 'Be brief.', max_output_tokens: 64, temperature: 0.5, top_p: 0.8, metadata: { ticket: 'T-1' }, safety_identifier: 'hash-1', user: 'u-1' },
  },
  {
    name: 'function tools as passed on (no parameters: an empty object schema; strict is not passed on: false); a forced function',
    body: {
      model: 'fast',
      input: 'Hi',
      tools: [
        { type: 'function', name: 'weather', description: 'Weather now', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: true },
        { type: 'function', name: 'now' },
      ],
      tool_choice: { type: 'function', name: 'weather' },
    },
    want: {
      ...unset,
      tools: [
        { type: 'function', name: 'weather', description: 'Weather now', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: false },
        { type: 'function', name: 'now', description: null, parameters: { type: 'object', properties: {} }, strict: false },
      ],
      tool_choice: { type: 'function', name: 'weather' },
    },
  },
  {
    name: 'text.format json_schema (strict not passed on) and tool_choice required',
    body: { model: 'fast', input: 'Hi', text: { format: { type: 'json_schema', name: 'answer', description: 'The answer', schema: { type: 'object' }, strict: true } }, tool_choice: 'required' },
    want: { ...unset, text: { format: { type: 'json_schema', name: 'answer', schema: { type: 'object' }, description: 'The answer', strict: false }, verbosity: null }, tool_choice: 'required' },
  },
  { name: 'text.format json_object', body: { model: 'fast', input: 'Hi', text: { format: { type: 'json_object' } } }, want: { ...unset, text: { format: { type: 'json_object' }, verbosity: null } } },
  { name: 'nulls are as if unset', body: { model: 'fast', input: 'Hi', instructions: null, temperature: null, tools: null, tool_choice: null, text: null, metadata: null, user: null }, want: unset },
];

for (const c of echoes) {
  test(`responses parse echo: ${c.name}`, () => {
    const parsed = parseResponses(c.body);
    assert.deepEqual(parsed.operation === 'chat' && parsed.echo, c.want);
  });
}

const refused: Refusal[] = [
  { name: 'previous_response_id', body: { model: 'fast', input: 'Hi', previous_response_id: 'resp_1' }, path: 'previous_response_id', message: /not supported; the gateway keeps no conversation state/ },
  { name: 'store: true', body: { model: 'fast', input: 'Hi', store: true }, path: 'store', message: /does not store responses/ },
  { name: 'a conversation', body: { model: 'fast', input: 'Hi', conversation: 'conv_1' }, path: 'conversation', message: /not supported/ },
  { name: 'background', body: { model: 'fast', input: 'Hi', background: true }, path: 'background', message: /background/ },
  { name: 'a stored prompt', body: { model: 'fast', prompt: { id: 'pmpt_1' }, input: 'Hi' }, path: 'prompt', message: /stored prompts/ },
  { name: 'no input', body: { model: 'fast' }, path: 'input', message: /is required/ },
  { name: 'an empty input list', body: { model: 'fast', input: [] }, path: 'input', message: /at least 1 item/ },
  { name: 'an unknown item type', body: { model: 'fast', input: [{ type: 'item_reference', id: 'x' }] }, path: 'input[0].type', message: /unsupported type "item_reference"; supported here: message, function_call, function_call_output, reasoning/ },
  { name: 'an unknown role', body: { model: 'fast', input: [{ role: 'tool', content: 'x' }] }, path: 'input[0].role', message: /must be one of "user", "assistant", "system", "developer" \(got "tool"\)/ },
  { name: 'a file input', body: { model: 'fast', input: [{ role: 'user', content: [{ type: 'input_file', file_id: 'f' }] }] }, path: 'input[0].content[0].type', message: /unsupported type "input_file"/ },
  { name: 'an image by file_id', body: { model: 'fast', input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'file_1' }] }] }, path: 'input[0].content[0].image_url', message: /file_id are not supported/ },
  { name: 'a data: URL that is not base64', body: { model: 'fast', input: [{ role: 'user', content: [{ type: 'input_image', image_url: 'data:image/png,xx' }] }] }, path: 'input[0].content[0].image_url', message: /base64/ },
  { name: 'a function_call without call_id', body: { model: 'fast', input: [{ type: 'function_call', name: 'f', arguments: '{}' }] }, path: 'input[0].call_id', message: /is required/ },
  { name: 'an image in a function_call_output', body: { model: 'fast', input: [{ type: 'function_call_output', call_id: 'c', output: [{ type: 'input_image', image_url: 'https://x/y.png' }] }] }, path: 'input[0].output[0]', message: /only text/ },
  { name: 'a built-in tool', body: { model: 'fast', input: 'Hi', tools: [{ type: 'web_search' }] }, path: 'tools[0].type', message: /unsupported type "web_search"; supported here: function/ },
  { name: 'metadata values that are not strings', body: { model: 'fast', input: 'Hi', metadata: { n: 1 } }, path: 'metadata.n', message: /expected a string, got 1/ },
  { name: 'max_output_tokens 0', body: { model: 'fast', input: 'Hi', max_output_tokens: 0 }, path: 'max_output_tokens', message: /at least 1/ },
];

testRefusals('responses parse', parseResponses, refused);
