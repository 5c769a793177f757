/**
 * The Anthropic fake is faithful: the official `@anthropic-ai/sdk`, pointed at it with baseURL
 * only, works for messages (whole and streamed, text and tool use) and surfaces the fake's
 * refusals and mid-stream errors as its own typed errors.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { startAnthropicFake } from './anthropic.ts';
import type { FakeServer } from './server.ts';

const KEY = 'sk-ant-test-0123456789';
const ask = { model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user' as const, content: 'hi' }] };

describe('Anthropic fake through @anthropic-ai/sdk', () => {
  let fake: FakeServer;
  let client: Anthropic;
  before(async () => {
    fake = await startAnthropicFake({ apiKey: KEY });
    client = new Anthropic({ apiKey: KEY, baseURL: fake.url, maxRetries: 0 });
  });
  after(() => fake.close());

  test('messages, not streamed: text, stop reason, usage with cache reads; the key as Bearer (SDK 1.x)', async () => {
    fake.enqueue({ text: 'Bonjour à tous', usage: { input: 120, output: 5, cached: 100 } });
    const before = fake.calls.length;
    const msg = await client.messages.create({ ...ask, system: 'Be brief.' });
    assert.deepEqual(msg.content, [{ type: 'text', text: 'Bonjour à tous' }]);
    assert.equal(msg.stop_reason, 'end_turn');
    assert.equal(msg.model, 'claude-sonnet-4-5');
    assert.equal(msg.usage.input_tokens, 20);
    assert.equal(msg.usage.cache_read_input_tokens, 100);
    assert.equal(msg.usage.output_tokens, 5);
    const call = fake.calls[before];
    assert.equal(call.path, '/v1/messages');
    assert.equal(call.headers.authorization, `Bearer ${KEY}`);
    assert.equal(call.headers['anthropic-version'], '2026-10-21');
    assert.equal((call.body as { system: string }).system, 'Be brief.');
  });

  test('messages, streamed with the SDK\'s stream helper: text deltas and the final message with usage', async () => {
    fake.enqueue({ text: 'One two three four 🙂', usage: { input: 9, output: 4 } });
    const stream = client.messages.stream(ask);
    const deltas: string[] = [];
    stream.on('text', (t) => deltas.push(t));
    const final = await stream.finalMessage();
    assert.ok(deltas.length > 3, 'the text came in several deltas');
    assert.equal(deltas.join(''), 'One two three four 🙂');
    assert.deepEqual(final.content.map((b) => (b.type === 'text' ? b.text : b.type)), ['One two three four 🙂']);
    assert.equal(final.stop_reason, 'end_turn');
    assert.equal(final.usage.input_tokens, 9);
    assert.equal(final.usage.output_tokens, 4);
  });

  test('a scripted stop sequence: stop_reason stop_sequence with the sequence, whole and streamed', async () => {
    fake.enqueue({ text: 'Once upon a time', stopSequence: 'THE END' }, { text: 'Once upon a time', stopSequence: 'THE END' });
    const whole = await client.messages.create({ ...ask, stop_sequences: ['THE END'] });
    assert.deepEqual([whole.stop_reason, whole.stop_sequence], ['stop_sequence', 'THE END']);
    const final = await client.messages.stream({ ...ask, stop_sequences: ['THE END'] }).finalMessage();
    assert.deepEqual([final.stop_reason, final.stop_sequence], ['stop_sequence', 'THE END']);
  });

  test('messages, streamed raw: the event sequence Anthropic sends', async () => {
    fake.enqueue({ text: 'abcdefgh' });
    const stream = await client.messages.create({ ...ask, stream: true });
    const types: string[] = [];
    for await (const e of stream) types.push(e.type);
    assert.deepEqual(types, ['message_start', 'content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
  });

  test('tool use, whole and streamed: the input the SDK assembles is the scripted arguments', async () => {
    const toolCall = { id: 'toolu_01', name: 'weather', arguments: '{"city":"Oslo","unit":"celsius"}' };
    const tools = [{ name: 'weather', input_schema: { type: 'object' as const, properties: { city: { type: 'string' } } } }];
    fake.enqueue({ toolCall }, { toolCall });
    const msg = await client.messages.create({ ...ask, tools });
    assert.deepEqual(msg.content, [{ type: 'tool_use', id: 'toolu_01', name: 'weather', input: { city: 'Oslo', unit: 'celsius' } }]);
    assert.equal(msg.stop_reason, 'tool_use');
    const final = await client.messages.stream({ ...ask, tools }).finalMessage();
    assert.deepEqual(final.content.map((b) => (b.type === 'tool_use' ? [b.id, b.name, b.input] : b.type)), [['toolu_01', 'weather', { city: 'Oslo', unit: 'celsius' }]]);
  });

  test('refusals are the SDK\'s typed errors, with the type, message, request id and Retry-After', async () => {
    const wrong = new Anthropic({ apiKey: 'sk-ant-wrong', baseURL: fake.url, maxRetries: 0 });
    await assert.rejects(wrong.messages.create(ask), (e: unknown) => {
      assert.ok(e instanceof Anthropic.AuthenticationError);
      assert.equal(e.type, 'authentication_error');
      assert.match(String(e.requestID), /^req_fake/);
      return true;
    });
    fake.enqueue({ status: 429, error: { message: 'Number of requests has exceeded your rate limit' }, retryAfterS: 30 }, { status: 529, error: { message: 'Overloaded' } }, { status: 500 });
    await assert.rejects(client.messages.create(ask), (e: unknown) => {
      assert.ok(e instanceof Anthropic.RateLimitError);
      assert.equal(e.type, 'rate_limit_error');
      assert.equal(e.headers.get('retry-after'), '30');
      assert.match(e.message, /rate limit/);
      return true;
    });
    await assert.rejects(client.messages.create(ask), (e: unknown) => e instanceof Anthropic.InternalServerError && e.status === 529 && e.type === 'overloaded_error');
    await assert.rejects(client.messages.create({ ...ask, stream: true }), (e: unknown) => e instanceof Anthropic.InternalServerError && e.status === 500 && e.type === 'api_error');
  });

  test('requests the API would refuse (no max_tokens; temperature under 2026-10-21) are BadRequestErrors', async () => {
    const { max_tokens: _, ...noMax } = ask;
    await assert.rejects(client.messages.create(noMax as typeof ask), (e: unknown) => e instanceof Anthropic.BadRequestError && e.type === 'invalid_request_error');
    await assert.rejects(client.messages.create({ ...ask, temperature: 1 } as typeof ask), (e: unknown) => e instanceof Anthropic.BadRequestError && /temperature: Extra inputs are not permitted/.test(e.message));
  });

  test('thinking tokens come as output_tokens_details', async () => {
    fake.enqueue({ text: 'Done.', usage: { input: 10, output: 300, reasoning: 280 } });
    const msg = await client.messages.create(ask);
    assert.equal(msg.usage.output_tokens_details?.thinking_tokens, 280);
  });

  test('a mid-stream error event and an error inside a 200 stream surface as APIError with the error type', async () => {
    fake.enqueue({ text: 'abcdefghijkl', midStreamError: { afterChunks: 2, message: 'Overloaded' } }, { errorInside200: { message: 'busy', type: 'overloaded_error' } });
    for (const want of ['Overloaded', 'busy']) {
      const stream = await client.messages.create({ ...ask, stream: true });
      await assert.rejects(
        (async () => {
          for await (const _ of stream);
        })(),
        (e: unknown) => e instanceof Anthropic.APIError && e.type === 'overloaded_error' && e.message.includes(want),
      );
    }
  });

  test('a cut stream is an error in the SDK, not a quiet end', async () => {
    fake.enqueue({ text: 'abcdefghijkl', cutAfterChunks: 1 });
    await assert.rejects(client.messages.stream(ask).finalMessage());
  });
});
