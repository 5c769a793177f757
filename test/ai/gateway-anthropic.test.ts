// The AI gateway end to end through the official Anthropic SDK: the Messages API in front of
// an Anthropic provider and, by alias, an OpenAI one; streams; refusals as the SDK's typed
// errors with the Pinpoint code and the request id it reads from request-id.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { ANTHROPIC_SECRET, startAiWorld, type AiWorld } from './gateway-world.ts';

let w: AiWorld;
let client: Anthropic;

before(async () => {
  w = await startAiWorld();
  client = new Anthropic({ apiKey: await w.key(), baseURL: w.gw.url + '/anthropic', maxRetries: 0 });
});
after(() => w.close());

const msg = (text: string, model = 'claude') => ({ model, max_tokens: 100, messages: [{ role: 'user' as const, content: text }] });

async function refusal(p: Promise<unknown>): Promise<InstanceType<typeof Anthropic.APIError>> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof Anthropic.APIError, String(err));
    return err;
  }
  assert.fail('the call was not refused');
}

describe('answers', () => {
  test('a message to an Anthropic model: the provider gets its own key and version header; usage comes back and is logged', async () => {
    w.anthropic.enqueue({ text: 'Bonjour.', usage: { input: 20, output: 4, cached: 5 } });
    const { data, response } = await client.messages.create(msg('Say hello in French')).withResponse();
    assert.deepEqual(data.content, [{ type: 'text', text: 'Bonjour.', citations: null }]);
    assert.equal(data.model, 'claude');
    assert.deepEqual([data.stop_reason, data.stop_sequence, data.stop_details, data.container], ['end_turn', null, null, null]);
    assert.equal(data.usage.output_tokens, 4);
    const sent = w.anthropic.calls.at(-1)!;
    assert.equal(sent.headers['x-api-key'], ANTHROPIC_SECRET);
    assert.ok(sent.headers['anthropic-version']);
    assert.equal(response.headers.get('request-id'), response.headers.get('x-request-id'));
    const call = await w.logged(response);
    assert.equal(call.ai?.api, 'anthropic-messages');
    assert.equal(call.ai?.usage?.cachedInputTokens, 5);
    assert.match(call.ai?.hops[0].providerRequestId ?? '', /^req_fake/, 'the provider\'s request id of the call that answered');
  });

  test('the Messages API in front of an OpenAI model (alias gpt): one front, another provider', async () => {
    w.openai.enqueue({ text: 'Translated by GPT.' });
    const data = await client.messages.create({ ...msg('Translate', 'gpt'), system: 'You translate.' });
    assert.equal(data.content[0].type === 'text' && data.content[0].text, 'Translated by GPT.');
    const sent = w.openai.calls.at(-1)!.body as { messages: { role: string; content: unknown }[] };
    assert.equal(sent.messages[0].role, 'system');
  });

  test('a streamed message: text deltas and the final usage through the SDK stream helper', async () => {
    w.anthropic.enqueue({ text: 'A streamed answer.', usage: { input: 7, output: 6 } });
    const stream = client.messages.stream(msg('stream it'));
    let text = '';
    stream.on('text', (t) => (text += t));
    const final = await stream.finalMessage();
    assert.equal(text, 'A streamed answer.');
    assert.equal(final.usage.output_tokens, 6);
  });

  test('a stop on a stop sequence: the sequence Anthropic named reaches the client, whole and streamed; through an OpenAI model it is a plain end_turn', async () => {
    w.anthropic.enqueue({ text: 'Once upon a time', stopSequence: '\nTHE END' }, { text: 'Once upon a time', stopSequence: '\nTHE END' });
    const whole = await client.messages.create({ ...msg('A story'), stop_sequences: ['\nTHE END'] });
    assert.equal(whole.stop_reason, 'stop_sequence');
    assert.equal(whole.stop_sequence, '\nTHE END');
    assert.deepEqual((w.anthropic.calls.at(-1)!.body as { stop_sequences: string[] }).stop_sequences, ['\nTHE END']);
    const final = await client.messages.stream({ ...msg('A story'), stop_sequences: ['\nTHE END'] }).finalMessage();
    assert.equal(final.stop_reason, 'stop_sequence');
    assert.equal(final.stop_sequence, '\nTHE END');
    assert.equal(final.stop_details, null);

    // OpenAI says only finish_reason "stop": the gateway cannot know a sequence matched, and says so as the API does for a natural end.
    w.openai.enqueue({ text: 'Once upon a time' });
    const viaGpt = await client.messages.create({ ...msg('A story', 'gpt'), stop_sequences: ['\nTHE END'] });
    assert.equal(viaGpt.stop_reason, 'end_turn');
    assert.equal(viaGpt.stop_sequence, null);
  });

  test('a stream that breaks after it started: the SDK raises the error event; nothing is retried', async () => {
    w.anthropic.enqueue({ text: 'This will break halfway', midStreamError: { afterChunks: 2, message: 'Overloaded' } });
    const stream = client.messages.stream(msg('break'));
    await assert.rejects(stream.finalMessage(), (err: unknown) => {
      assert.match(String(err), /ai\.stream_interrupted|stream/i);
      return true;
    });
  });
});

describe('refusals as typed errors', () => {
  test('an unknown key: AuthenticationError, the authn code in error.details, the request id readable', async () => {
    const anon = new Anthropic({ apiKey: 'sk-ant-not-ours', baseURL: w.gw.url + '/anthropic', maxRetries: 0 });
    const err = await refusal(anon.messages.create(msg('hi')));
    assert.ok(err instanceof Anthropic.AuthenticationError);
    assert.match(JSON.stringify(err.error), /authn\./);
    assert.ok(err.requestID);
  });

  test('a model the route does not serve: the caller learns only that it is not allowed or unknown', async () => {
    const err = await refusal(client.messages.create(msg('hi', 'embed')));
    assert.ok(err instanceof Anthropic.PermissionDeniedError || err instanceof Anthropic.NotFoundError, err.constructor.name);
    assert.match(JSON.stringify(err.error), /ai\.model_(not_allowed|unknown)/);
  });

  test('a provider that fails with 500 and no fallback: 502 ai.provider_error as an Anthropic api_error', async () => {
    w.anthropic.enqueue({ status: 500, error: { message: 'internal', type: 'api_error' } });
    const err = await refusal(client.messages.create(msg('hi')));
    assert.equal(err.status, 502);
    assert.match(JSON.stringify(err.error), /ai\.provider_error/);
    const call = await w.logged(err.requestID!);
    assert.equal(call.ai?.hops[0].status, 500);
  });

  test('a provider 200 with an error inside: not an answer, ai.provider_error', async () => {
    w.anthropic.enqueue({ errorInside200: { message: 'overloaded', type: 'overloaded_error' } });
    const err = await refusal(client.messages.create(msg('hi')));
    assert.match(JSON.stringify(err.error), /ai\.provider_error/);
  });

  test('a malformed message (no max_tokens): BadRequestError ai.request_invalid naming the field', async () => {
    const err = await refusal(client.messages.create({ model: 'claude', messages: [{ role: 'user', content: 'hi' }] } as never));
    assert.ok(err instanceof Anthropic.BadRequestError);
    assert.match(JSON.stringify(err.error), /max_tokens/);
  });
});
