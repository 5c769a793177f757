/** The Bedrock adapter over real HTTP (undici) against the Bedrock fake, which re-checks every SigV4 signature. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chatOverHttp, streamOverHttp } from '../../../../test/ai/fakes/adapter-harness.ts';
import { startBedrockFake } from '../../../../test/ai/fakes/bedrock.ts';
import type { FakeServer } from '../../../../test/ai/fakes/server.ts';
import type { ChatRequest } from '../../types.ts';
import type { ProviderTarget } from '../types.ts';
import { midStreamErrorAndCut, noUsageWhenOmitted, streamedTextFinishUsage, toolCallWholeAndStreamed } from '../common/http-testing.ts';
import { target } from '../common/testing.ts';
import { adapter } from './index.ts';

const credentials = { accessKeyId: 'AKIDFAKE0123456789', secretAccessKey: 'fakeSecret/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'FQoGZXIvYXdzFAKETOKEN' };
const req: ChatRequest = { model: 'alias', messages: [{ role: 'system', parts: [{ type: 'text', text: 'Be brief.' }] }, { role: 'user', parts: [{ type: 'text', text: 'Say hello' }] }], stream: false, maxOutputTokens: 64 };

describe('Bedrock adapter against the Bedrock fake', () => {
  let fake: FakeServer;
  let t: ProviderTarget;
  before(async () => {
    fake = await startBedrockFake({ credentials, region: 'eu-central-1' });
    t = target('bedrock', { baseUrl: fake.url, model: 'anthropic.claude-sonnet-4-5-v1:0', credentials, options: { region: 'eu-central-1' } });
  });
  after(() => fake.close());

  test('non-streamed: a signature the fake verifies, text and usage with cache reads, the request id as id', async () => {
    fake.enqueue({ text: 'Hello, wörld', usage: { input: 110, output: 4, cached: 100 } });
    const out = await chatOverHttp(adapter, req, t);
    assert.ok(out.ok && 'id' in out.value, JSON.stringify(out));
    assert.match(out.value.id, /^[0-9a-f-]{36}$/);
    assert.deepEqual({ ...out.value, id: '' }, { id: '', model: '', parts: [{ type: 'text', text: 'Hello, wörld' }], finishReason: 'stop', usage: { inputTokens: 110, outputTokens: 4, cachedInputTokens: 100 } });
    const call = fake.calls.at(-1)!;
    assert.equal(call.path, '/model/anthropic.claude-sonnet-4-5-v1%3A0/converse');
    assert.deepEqual(call.body, { messages: [{ role: 'user', content: [{ text: 'Say hello' }] }], system: [{ text: 'Be brief.' }], inferenceConfig: { maxTokens: 64 } });
    const wire = [call.url, call.rawBody.toString(), JSON.stringify(call.headers)].join('\n');
    assert.ok(!wire.includes(credentials.secretAccessKey), 'the secret key never travels');
  });

  test('streamed: AWS event stream frames decoded into start, text pieces, finish, usage', async () => {
    await streamedTextFinishUsage(adapter, req, t, fake, 'Streaming 😀 text', { input: 7, output: 5 }, { inputTokens: 7, outputTokens: 5 });
    assert.equal(fake.calls.at(-1)!.path, '/model/anthropic.claude-sonnet-4-5-v1%3A0/converse-stream');
  });

  test('tool use, whole and streamed', () => toolCallWholeAndStreamed(adapter, req, t, fake, 'tooluse_9'));

  test('a wrong secret, an unknown key id, a wrong region are 403s with AWS\'s error types; no secret in them', async () => {
    const cases: [ProviderTarget, string][] = [
      [{ ...t, credentials: { ...credentials, secretAccessKey: 'not-the-secret' } }, 'InvalidSignatureException'],
      [{ ...t, credentials: { ...credentials, accessKeyId: 'AKIDUNKNOWN' } }, 'UnrecognizedClientException'],
      [{ ...t, options: { region: 'us-west-2' } }, 'InvalidSignatureException'],
    ];
    for (const [target, type] of cases) {
      const out = await chatOverHttp(adapter, req, target);
      assert.ok(!out.ok);
      assert.deepEqual([out.error.status, out.error.type], [403, type]);
      assert.match(out.error.requestId!, /^[0-9a-f-]{36}$/);
      assert.ok(!JSON.stringify(out.error).includes(target.credentials.secretAccessKey));
    }
  });

  test('throttled with Retry-After, a server error', async () => {
    fake.enqueue({ status: 429, error: { message: 'Too many requests, please wait before trying again.' }, retryAfterS: 4 }, { status: 500 });
    const limited = await chatOverHttp(adapter, req, t);
    assert.ok(!limited.ok);
    assert.deepEqual({ ...limited.error, requestId: undefined }, { status: 429, message: 'Too many requests, please wait before trying again.', type: 'ThrottlingException', retryAfterS: 4, requestId: undefined });
    const failed = await streamOverHttp(adapter, req, t);
    assert.ok(!failed.ok);
    assert.deepEqual([failed.error.status, failed.error.type], [500, 'InternalServerException']);
  });

  test('an error inside a 200 (whole, and as the first frame), an exception frame mid-stream, a cut stream', async () => {
    fake.enqueue(
      { errorInside200: { message: 'Model is getting throttled.' } },
      { errorInside200: { message: 'Too many tokens', type: 'throttlingException' } },
    );
    const inside = await chatOverHttp(adapter, req, t);
    assert.ok(inside.ok && 'status' in inside.value);
    assert.deepEqual([inside.value.status, inside.value.message], [200, 'Model is getting throttled.']);
    const first = await streamOverHttp(adapter, req, t);
    assert.deepEqual(first.ok && first.value, [{ type: 'error', error: { status: 200, type: 'throttlingException', message: 'Too many tokens' } }]);
    assert.deepEqual(await midStreamErrorAndCut(adapter, req, t, fake, 'Model stream error'), { type: 'error', error: { status: 200, type: 'modelStreamErrorException', message: 'Model stream error' } });
  });

  test('a provider that sends no usage: none comes out, whole or streamed', async () => {
    await noUsageWhenOmitted(adapter, req, t, fake);
  });
});
