import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChatRequest } from '../../types.ts';
import { chatRequest, target } from '../common/testing.ts';
import { adapter } from './index.ts';
import { SKIP_SIGNATURE, toolCallId } from './signature.ts';

async function body(req: ChatRequest): Promise<Record<string, unknown>> {
  return JSON.parse(String((await adapter.chat.call(req, target('gemini'))).body));
}
const hi = [{ role: 'user', parts: [{ text: 'Hi' }] }];

test('generateContent and streamGenerateContent?alt=sse under v1beta/models, the key in x-goog-api-key only', async () => {
  const whole = await adapter.chat.call(chatRequest(), target('gemini'));
  assert.equal(whole.url, 'https://provider.test/v1beta/models/the-model:generateContent');
  assert.equal(whole.headers['x-goog-api-key'], 'sk-secret-key');
  assert.ok(!whole.url.includes('sk-secret-key') && !String(whole.body).includes('sk-secret-key'));
  const streamed = await adapter.chat.call(chatRequest({ stream: true }), target('gemini'));
  assert.equal(streamed.url, 'https://provider.test/v1beta/models/the-model:streamGenerateContent?alt=sse');
  const tuned = await adapter.chat.call(chatRequest(), target('gemini', { model: 'tunedModels/my-model-1' }));
  assert.equal(tuned.url, 'https://provider.test/v1beta/tunedModels/my-model-1:generateContent');
});

const cases: { name: string; req: Partial<ChatRequest>; want: Record<string, unknown> }[] = [
  {
    name: 'system messages become systemInstruction; assistant turns are role model',
    req: {
      messages: [
        { role: 'system', parts: [{ type: 'text', text: 'Be brief.' }] },
        { role: 'user', parts: [{ type: 'text', text: 'Hi' }] },
        { role: 'assistant', parts: [{ type: 'text', text: 'Hello!' }] },
        { role: 'user', parts: [{ type: 'text', text: 'Bye' }] },
      ],
    },
    want: {
      systemInstruction: { parts: [{ text: 'Be brief.' }] },
      contents: [
        { role: 'user', parts: [{ text: 'Hi' }] },
        { role: 'model', parts: [{ text: 'Hello!' }] },
        { role: 'user', parts: [{ text: 'Bye' }] },
      ],
    },
  },
  {
    name: 'sampling fields go to generationConfig; the end user is not sent',
    req: { maxOutputTokens: 100, temperature: 0.2, topP: 0.9, stop: ['END'], user: 'u-1' },
    want: { contents: hi, generationConfig: { maxOutputTokens: 100, temperature: 0.2, topP: 0.9, stopSequences: ['END'] } },
  },
  {
    name: 'JSON output: responseMimeType and the schema as responseJsonSchema, beside the sampling fields',
    req: { temperature: 0, responseFormat: { type: 'json', schema: { type: 'object', properties: { n: { type: 'number' } }, additionalProperties: false } } },
    want: { contents: hi, generationConfig: { temperature: 0, responseMimeType: 'application/json', responseJsonSchema: { type: 'object', properties: { n: { type: 'number' } }, additionalProperties: false } } },
  },
  {
    name: 'JSON output without a schema',
    req: { responseFormat: { type: 'json' } },
    want: { contents: hi, generationConfig: { responseMimeType: 'application/json' } },
  },
  {
    name: 'images inline and by URI',
    req: { messages: [{ role: 'user', parts: [{ type: 'image', data: 'iVBORw0K', mediaType: 'image/png' }, { type: 'image', url: 'https://img.test/cat.jpg', mediaType: 'image/jpeg' }, { type: 'text', text: 'Same?' }] }] },
    want: { contents: [{ role: 'user', parts: [{ inlineData: { mimeType: 'image/png', data: 'iVBORw0K' } }, { fileData: { mimeType: 'image/jpeg', fileUri: 'https://img.test/cat.jpg' } }, { text: 'Same?' }] }] },
  },
  {
    name: 'tools as functionDeclarations with JSON Schema parameters; a named choice is ANY with that name allowed',
    req: { tools: [{ name: 'weather', description: 'Weather by city', parameters: { type: 'object', properties: { city: { type: 'string' } } } }], toolChoice: { name: 'weather' } },
    want: {
      contents: hi,
      tools: [{ functionDeclarations: [{ name: 'weather', description: 'Weather by city', parametersJsonSchema: { type: 'object', properties: { city: { type: 'string' } } } }] }],
      toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['weather'] } },
    },
  },
  {
    name: 'tool history: calls carry their signature (or the skip placeholder), results name their function',
    req: {
      messages: [
        { role: 'user', parts: [{ type: 'text', text: 'Weather and time?' }] },
        {
          role: 'assistant',
          parts: [
            { type: 'tool_call', id: toolCallId(undefined, 'c2lnbmVk/+=='), name: 'weather', arguments: '{"city":"Oslo"}' },
            { type: 'tool_call', id: 'toolu_from_elsewhere', name: 'time', arguments: '' },
          ],
        },
        { role: 'tool', parts: [{ type: 'tool_result', toolCallId: 'toolu_from_elsewhere', content: 'no clock', isError: true }] },
        { role: 'tool', parts: [{ type: 'tool_result', toolCallId: 'unknown-id', content: '?' }] },
      ],
    },
    want: {
      contents: [
        { role: 'user', parts: [{ text: 'Weather and time?' }] },
        {
          role: 'model',
          parts: [
            { functionCall: { name: 'weather', args: { city: 'Oslo' } }, thoughtSignature: 'c2lnbmVk/+==' },
            { functionCall: { id: 'toolu_from_elsewhere', name: 'time', args: {} }, thoughtSignature: SKIP_SIGNATURE },
          ],
        },
        {
          role: 'user',
          parts: [
            { functionResponse: { id: 'toolu_from_elsewhere', name: 'time', response: { error: 'no clock' } } },
            { functionResponse: { id: 'unknown-id', name: 'unknown-id', response: { output: '?' } } },
          ],
        },
      ],
    },
  },
];
for (const c of cases) {
  test(`request: ${c.name}`, async () => {
    assert.deepEqual(await body(chatRequest(c.req)), c.want);
  });
}

const choices: [ChatRequest['toolChoice'], unknown][] = [
  ['auto', { functionCallingConfig: { mode: 'AUTO' } }],
  ['none', { functionCallingConfig: { mode: 'NONE' } }],
  ['required', { functionCallingConfig: { mode: 'ANY' } }],
  [undefined, undefined],
];
for (const [choice, want] of choices) {
  test(`request: tool choice ${JSON.stringify(choice)}`, async () => {
    assert.deepEqual((await body(chatRequest({ tools: [{ name: 'weather', parameters: { type: 'object' } }], toolChoice: choice }))).toolConfig, want);
  });
}

test('embeddings: one batchEmbedContents call for every input, with the output dimensionality', async () => {
  const call = await adapter.embeddings!.call({ model: 'alias', input: ['a', 'b'], dimensions: 256 }, target('gemini', { model: 'text-embedding-004' }));
  assert.equal(call.url, 'https://provider.test/v1beta/models/text-embedding-004:batchEmbedContents');
  assert.equal(call.headers['x-goog-api-key'], 'sk-secret-key');
  assert.deepEqual(JSON.parse(String(call.body)), {
    requests: [
      { model: 'models/text-embedding-004', content: { parts: [{ text: 'a' }] }, outputDimensionality: 256 },
      { model: 'models/text-embedding-004', content: { parts: [{ text: 'b' }] }, outputDimensionality: 256 },
    ],
  });
});
