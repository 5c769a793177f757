import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAuthorization, signatureProblem } from '../../../../test/ai/fakes/bedrock-sigv4.ts';
import { chatRequest, target } from '../common/testing.ts';
import { adapter } from './index.ts';
import { signedCall } from './sign.ts';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'FQoGZXIvYXdzEXAMPLETOKEN' };
const bedrock = (over = {}) => target('bedrock', { baseUrl: 'https://bedrock-runtime.eu-west-1.amazonaws.com', model: 'anthropic.claude-3-5-sonnet-20240620-v1:0', credentials, options: { region: 'eu-west-1' }, ...over });

test('converse and converse-stream paths carry the model id as one escaped segment', async () => {
  const whole = await adapter.chat.call(chatRequest(), bedrock());
  assert.equal(whole.url, 'https://bedrock-runtime.eu-west-1.amazonaws.com/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse');
  assert.equal(whole.headers.accept, 'application/json');
  const streamed = await adapter.chat.call(chatRequest({ stream: true }), bedrock({ model: 'arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.anthropic.claude-3-5-sonnet-20240620-v1:0' }));
  assert.equal(streamed.url, 'https://bedrock-runtime.eu-west-1.amazonaws.com/model/arn%3Aaws%3Abedrock%3Aeu-west-1%3A123456789012%3Ainference-profile%2Feu.anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse-stream');
  assert.equal(streamed.headers.accept, 'application/vnd.amazon.eventstream');
});

test('the call is signed with SigV4 for service bedrock in the region; the signature verifies (fixed clock)', async () => {
  const at = new Date(Date.UTC(2025, 0, 2, 3, 4, 5));
  const body = JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'Hi' }] }] });
  const call = await signedCall(bedrock(), '/model/m%3A0/converse', body, 'application/json', at);
  const auth = parseAuthorization(call.headers.authorization);
  assert.ok(auth, call.headers.authorization);
  assert.deepEqual({ ...auth, signature: '' }, {
    accessKeyId: 'AKIDEXAMPLE',
    date: '20250102',
    region: 'eu-west-1',
    service: 'bedrock',
    signedHeaders: ['accept', 'content-type', 'host', 'x-amz-content-sha256', 'x-amz-date', 'x-amz-security-token'],
    signature: '',
  });
  assert.equal(call.headers['x-amz-date'], '20250102T030405Z');
  assert.equal(call.headers['x-amz-security-token'], credentials.sessionToken);
  assert.equal(call.headers.host, 'bedrock-runtime.eu-west-1.amazonaws.com');
  const received = { method: 'POST', path: '/model/m%3A0/converse', headers: call.headers, body };
  assert.equal(await signatureProblem(received, credentials), undefined);
  // The check can fail: another secret, another body, another path, another date.
  assert.equal(await signatureProblem(received, { ...credentials, secretAccessKey: 'other' }), 'signature mismatch');
  assert.equal(await signatureProblem({ ...received, body: body.replace('Hi', 'Ho') }, credentials), 'x-amz-content-sha256 is not the hash of the body');
  assert.equal(await signatureProblem({ ...received, path: '/model/m:0/converse' }, credentials), 'signature mismatch');
  assert.equal(await signatureProblem({ ...received, headers: { ...call.headers, 'x-amz-date': '20250102T030406Z' } }, credentials), 'signature mismatch');
});

test('the secret access key appears nowhere in the call; the session token only in its header', async () => {
  const call = await adapter.chat.call(chatRequest({ messages: [{ role: 'user', parts: [{ type: 'text', text: 'Hi' }] }] }), bedrock());
  const everything = [call.url, String(call.body), ...Object.entries(call.headers).map(([k, v]) => `${k}: ${v}`)];
  assert.ok(!everything.some((s) => s.includes(credentials.secretAccessKey)));
  assert.deepEqual(everything.filter((s) => s.includes(credentials.sessionToken)), [`x-amz-security-token: ${credentials.sessionToken}`]);
  assert.deepEqual(everything.filter((s) => s.includes(credentials.accessKeyId)).map((s) => s.split(':')[0]), ['authorization'], 'the access key id only in the credential scope');
});

test('without a session token there is no token header; a port in the base URL is part of the signed host', async () => {
  const { sessionToken: _, ...permanent } = credentials;
  const call = await adapter.chat.call(chatRequest(), bedrock({ credentials: permanent, baseUrl: 'http://127.0.0.1:8443' }));
  assert.equal(call.headers['x-amz-security-token'], undefined);
  assert.equal(call.headers.host, '127.0.0.1:8443');
  assert.equal(await signatureProblem({ method: 'POST', path: new URL(call.url).pathname, headers: call.headers, body: String(call.body) }, permanent), undefined);
});

test('a target without a region or without keys is refused before anything is signed', async () => {
  await assert.rejects(async () => adapter.chat.call(chatRequest(), bedrock({ options: {} })), /needs options\.region/);
  await assert.rejects(async () => adapter.chat.call(chatRequest(), bedrock({ credentials: { accessKeyId: 'AKIDEXAMPLE' } })), /needs credentials accessKeyId and secretAccessKey/);
});
