import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testRefusals, type Refusal } from '../../../../test/ai/dialects/helpers.ts';
import { openAiEmbeddings } from './index.ts';

const accepted: { name: string; body: Record<string, unknown>; want: unknown }[] = [
  { name: 'one string', body: { model: 'emb', input: 'hello' }, want: { operation: 'embeddings', request: { model: 'emb', input: ['hello'] }, encoding: 'float' } },
  {
    name: 'several strings, dimensions, base64, user',
    body: { model: 'emb', input: ['a', 'b'], dimensions: 256, encoding_format: 'base64', user: 'u-1' },
    want: { operation: 'embeddings', request: { model: 'emb', input: ['a', 'b'], dimensions: 256, user: 'u-1' }, encoding: 'base64' },
  },
  { name: 'encoding_format float', body: { model: 'emb', input: 'x', encoding_format: 'float' }, want: { operation: 'embeddings', request: { model: 'emb', input: ['x'] }, encoding: 'float' } },
];

for (const c of accepted) {
  test(`embeddings parse: ${c.name}`, () => assert.deepEqual(openAiEmbeddings.parse(c.body), c.want));
}

const refused: Refusal[] = [
  { name: 'token arrays', body: { model: 'emb', input: [1, 2, 3] }, path: 'input', message: /token arrays are not supported/ },
  { name: 'arrays of token arrays', body: { model: 'emb', input: [[1, 2], [3]] }, path: 'input', message: /token arrays are not supported/ },
  { name: 'no input', body: { model: 'emb' }, path: 'input', message: /is required/ },
  { name: 'an empty string', body: { model: 'emb', input: '' }, path: 'input', message: /must not be empty/ },
  { name: 'an empty array', body: { model: 'emb', input: [] }, path: 'input', message: /at least 1 item/ },
  { name: 'an empty string in the array', body: { model: 'emb', input: ['a', ''] }, path: 'input[1]', message: /must not be empty/ },
  { name: 'an unknown encoding', body: { model: 'emb', input: 'x', encoding_format: 'int8' }, path: 'encoding_format', message: /must be one of "float", "base64" \(got "int8"\)/ },
  { name: 'dimensions 0', body: { model: 'emb', input: 'x', dimensions: 0 }, path: 'dimensions', message: /at least 1/ },
];

testRefusals('embeddings parse', openAiEmbeddings.parse, refused);

const ctx = { model: 'emb', requestId: 'req_1', created: 1 };
const resp = { model: 'text-embedding-3-small', vectors: [[0.5, -1.25], [3, 0]], usage: { inputTokens: 7, outputTokens: 0 } };

test('embeddings render: floats, the alias as model, usage', () => {
  assert.deepEqual(openAiEmbeddings.renderEmbeddings!(resp, ctx, 'float'), {
    object: 'list',
    data: [
      { object: 'embedding', index: 0, embedding: [0.5, -1.25] },
      { object: 'embedding', index: 1, embedding: [3, 0] },
    ],
    model: 'emb',
    usage: { prompt_tokens: 7, total_tokens: 7 },
  });
});

test('embeddings render: base64 is little-endian float32', () => {
  const out = openAiEmbeddings.renderEmbeddings!(resp, ctx, 'base64') as { data: { embedding: string }[] };
  // 0.5 = 0x3f000000, -1.25 = 0xbfa00000, little-endian.
  assert.deepEqual([...Buffer.from(out.data[0]!.embedding, 'base64')], [0, 0, 0, 0x3f, 0, 0, 0xa0, 0xbf]);
  const back = new Float32Array(new Uint8Array(Buffer.from(out.data[1]!.embedding, 'base64')).buffer);
  assert.deepEqual([...back], [3, 0]);
});
