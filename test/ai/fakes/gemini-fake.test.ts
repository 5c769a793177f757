/**
 * The Gemini fake is faithful: the official `@google/genai`, pointed at it with
 * httpOptions.baseUrl only, works for generateContent (whole and streamed, text and function
 * calls) and embeddings, and surfaces the fake's refusals and mid-stream errors as ApiError.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, GoogleGenAI } from '@google/genai';
import { FAKE_THOUGHT_SIGNATURE, startGeminiFake } from './gemini.ts';
import type { FakeServer } from './server.ts';

const KEY = 'AIzaSyFAKE-0123456789abcdefghijklmnopq';

describe('Gemini fake through @google/genai', () => {
  let fake: FakeServer;
  let ai: GoogleGenAI;
  before(async () => {
    fake = await startGeminiFake({ apiKey: KEY });
    ai = new GoogleGenAI({ apiKey: KEY, httpOptions: { baseUrl: fake.url } });
  });
  after(() => fake.close());

  test('generateContent: text, usage with cached and thinking counts; the key in x-goog-api-key', async () => {
    fake.enqueue({ text: 'Bonjour à tous', usage: { input: 120, output: 45, cached: 100, reasoning: 40 } });
    const before = fake.calls.length;
    const res = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'hi', config: { systemInstruction: 'Be brief.', maxOutputTokens: 50 } });
    assert.equal(res.text, 'Bonjour à tous');
    assert.equal(res.candidates?.[0].finishReason, 'STOP');
    assert.equal(res.modelVersion, 'gemini-2.5-flash');
    assert.deepEqual(
      [res.usageMetadata?.promptTokenCount, res.usageMetadata?.cachedContentTokenCount, res.usageMetadata?.candidatesTokenCount, res.usageMetadata?.thoughtsTokenCount, res.usageMetadata?.totalTokenCount],
      [120, 100, 5, 40, 165],
    );
    const call = fake.calls[before];
    assert.equal(call.path, '/v1beta/models/gemini-2.5-flash:generateContent');
    assert.equal(call.headers['x-goog-api-key'], KEY);
    const body = call.body as { systemInstruction: unknown; generationConfig: { maxOutputTokens: number } };
    assert.equal(body.generationConfig.maxOutputTokens, 50);
    assert.ok(body.systemInstruction);
  });

  test('generateContentStream: text in several chunks, the finish reason and usage on the last', async () => {
    fake.enqueue({ text: 'One two three four 🙂', usage: { input: 9, output: 4 } });
    const chunks = [];
    for await (const chunk of await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'count' })) chunks.push(chunk);
    assert.ok(chunks.length > 3);
    assert.equal(chunks.map((c) => c.text ?? '').join(''), 'One two three four 🙂');
    assert.equal(chunks.at(-1)?.candidates?.[0].finishReason, 'STOP');
    assert.equal(chunks.at(-1)?.usageMetadata?.candidatesTokenCount, 4);
    assert.match(fake.calls.at(-1)!.url, /:streamGenerateContent\?alt=sse$/);
  });

  test('function calls, whole and streamed, with their thought signature', async () => {
    const toolCall = { id: 'ignored', name: 'weather', arguments: '{"city":"Oslo"}' };
    fake.enqueue({ toolCall }, { toolCall });
    const config = { tools: [{ functionDeclarations: [{ name: 'weather', parametersJsonSchema: { type: 'object', properties: { city: { type: 'string' } } } }] }] };
    const res = await ai.models.generateContent({ model: 'gemini-3-pro', contents: 'weather?', config });
    assert.deepEqual(res.functionCalls?.map((c) => [c.name, c.args]), [['weather', { city: 'Oslo' }]]);
    assert.equal(res.candidates?.[0].content?.parts?.[0].thoughtSignature, FAKE_THOUGHT_SIGNATURE);
    const streamed = [];
    for await (const chunk of await ai.models.generateContentStream({ model: 'gemini-3-pro', contents: 'weather?', config })) streamed.push(...(chunk.functionCalls ?? []));
    assert.deepEqual(streamed.map((c) => [c.name, c.args]), [['weather', { city: 'Oslo' }]]);
  });

  test('embedContent: one vector per input through batchEmbedContents, of the asked dimensionality', async () => {
    const res = await ai.models.embedContent({ model: 'text-embedding-004', contents: ['a', 'b'], config: { outputDimensionality: 4 } });
    assert.equal(res.embeddings?.length, 2);
    assert.deepEqual(res.embeddings?.map((e) => e.values?.length), [4, 4]);
    assert.equal(fake.calls.at(-1)!.path, '/v1beta/models/text-embedding-004:batchEmbedContents');
  });

  test('refusals are ApiError with the status: a wrong key is 400 API_KEY_INVALID, 429 carries RetryInfo, 500', async () => {
    const wrong = new GoogleGenAI({ apiKey: 'AIzaWrong', httpOptions: { baseUrl: fake.url } });
    await assert.rejects(wrong.models.generateContent({ model: 'gemini-2.5-flash', contents: 'hi' }), (e: unknown) => e instanceof ApiError && e.status === 400 && /API_KEY_INVALID/.test(e.message));
    fake.enqueue({ status: 429, error: { message: 'Resource has been exhausted (e.g. check quota).' }, retryAfterS: 21 }, { status: 500 });
    await assert.rejects(ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'hi' }), (e: unknown) => {
      assert.ok(e instanceof ApiError);
      assert.equal(e.status, 429);
      assert.match(e.message, /RESOURCE_EXHAUSTED/);
      assert.match(e.message, /"retryDelay":"21s"/);
      return true;
    });
    await assert.rejects(ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'hi' }), (e: unknown) => e instanceof ApiError && e.status === 500);
  });

  test('a mid-stream error and an error inside a 200 stream are ApiError in the SDK', async () => {
    fake.enqueue({ text: 'abcdefghijkl', midStreamError: { afterChunks: 2, message: 'The model is overloaded.' } }, { errorInside200: { message: 'busy' } });
    for (const want of ['The model is overloaded.', 'busy']) {
      await assert.rejects(
        (async () => {
          for await (const _ of await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'hi' }));
        })(),
        (e: unknown) => e instanceof ApiError && e.status === 500 && e.message.includes(want),
      );
    }
  });
});
