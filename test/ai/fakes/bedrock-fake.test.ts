/**
 * The Bedrock fake refuses calls without a SigV4 signature for service bedrock, as AWS does,
 * and streams real AWS event stream frames (no Bedrock client SDK is installed: its frames are
 * checked with @smithy/eventstream-codec; the adapter's own use is in
 * src/ai/providers/bedrock/http.test.ts).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { request } from 'undici';
import { codec } from '../../../src/ai/providers/bedrock/frames.ts';
import { startBedrockFake } from './bedrock.ts';
import type { FakeServer } from './server.ts';

const credentials = { accessKeyId: 'AKIDFAKE0123456789', secretAccessKey: 'fakeSecret/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const body = JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'hi' }] }] });

async function signed(fake: FakeServer, path: string, service = 'bedrock'): Promise<Record<string, string>> {
  const url = new URL(fake.url + path);
  const signer = new SignatureV4({ service, region: 'us-east-1', credentials, sha256: Sha256 });
  const req = await signer.sign({ method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: url.pathname, query: {}, headers: { host: url.host, 'content-type': 'application/json' }, body });
  return req.headers as Record<string, string>;
}

async function post(fake: FakeServer, path: string, headers: Record<string, string>) {
  const res = await request(fake.url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: res.statusCode, headers: res.headers, body: Buffer.from(await res.body.arrayBuffer()) };
}

describe('Bedrock fake', () => {
  let fake: FakeServer;
  before(async () => {
    fake = await startBedrockFake({ credentials });
  });
  after(() => fake.close());

  test('calls without a valid SigV4 Authorization are refused with AWS\'s error type, message and request id', async () => {
    const path = '/model/m/converse';
    const cases: [Record<string, string>, string][] = [
      [{}, 'MissingAuthenticationTokenException'],
      [{ authorization: 'Bearer abc' }, 'IncompleteSignatureException'],
      [await signed(fake, path, 's3'), 'InvalidSignatureException'],
      [{ ...(await signed(fake, path)), 'x-amz-date': '20200101T000000Z' }, 'InvalidSignatureException'],
    ];
    for (const [headers, type] of cases) {
      const res = await post(fake, path, headers);
      assert.equal(res.status, 403, type);
      assert.equal(String(res.headers['x-amzn-errortype']).split(':')[0], type);
      assert.match(String(res.headers['x-amzn-requestid']), /^[0-9a-f-]{36}$/);
      assert.equal(typeof JSON.parse(res.body.toString()).message, 'string');
    }
    assert.equal((await post(fake, path, await signed(fake, path))).status, 200);
  });

  test('converse-stream answers in AWS event stream frames whose CRCs and headers decode', async () => {
    fake.enqueue({ text: 'abcdefgh', usage: { input: 3, output: 2 } });
    const path = '/model/m/converse-stream';
    const res = await post(fake, path, await signed(fake, path));
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'application/vnd.amazon.eventstream');
    const events: [string, unknown][] = [];
    for (let at = 0; at < res.body.length; ) {
      const length = res.body.readUInt32BE(at);
      const frame = codec.decode(res.body.subarray(at, at + length));
      const header = (name: string) => frame.headers[name]?.value;
      assert.equal(header(':message-type'), 'event');
      assert.equal(header(':content-type'), 'application/json');
      const { p: _, ...payload } = JSON.parse(Buffer.from(frame.body).toString());
      events.push([String(header(':event-type')), payload]);
      at += length;
    }
    assert.deepEqual(events, [
      ['messageStart', { role: 'assistant' }],
      ['contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'abcd' } }],
      ['contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'efgh' } }],
      ['contentBlockStop', { contentBlockIndex: 0 }],
      ['messageStop', { stopReason: 'end_turn' }],
      ['metadata', { usage: { inputTokens: 3, outputTokens: 2, totalTokens: 5 }, metrics: { latencyMs: 42 } }],
    ]);
  });
});
