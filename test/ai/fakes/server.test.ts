import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { playStream, retryAfterHeader, sendJson, startFakeServer, textPieces } from './server.ts';

// A minimal fake in a made-up line format, to prove the shared parts every provider fake uses.
async function lineFake() {
  return startFakeServer({
    prefix: '/api',
    async handle({ script, res }) {
      if (script.status) return sendJson(res, script.status, { message: script.error?.message }, retryAfterHeader(script));
      res.writeHead(200, { 'content-type': 'text/plain' });
      await playStream(res, script, textPieces(script.text ?? 'abcdefgh', 2), {
        chunk: (piece, i) => `${i}:${piece}\n`,
        error: (message, sent) => `error after ${sent}: ${message}\n`,
        end: () => 'end\n',
      });
    },
  });
}

test('records calls, answers enqueued scripts in order, then the default', async () => {
  const fake = await lineFake();
  try {
    assert.match(fake.url, /^http:\/\/127\.0\.0\.1:\d+\/api$/);
    fake.enqueue({ text: 'xyz' }, { status: 429, error: { message: 'slow down' }, retryAfterS: 7 });
    const a = await request(`${fake.url}/go?x=1`, { method: 'POST', body: '{"n":1}', headers: { authorization: 'Bearer k' } });
    assert.equal(await a.body.text(), '0:xy\n1:z\nend\n');
    const b = await request(`${fake.url}/go`, { method: 'POST', body: 'not json' });
    assert.equal(b.statusCode, 429);
    assert.equal(b.headers['retry-after'], '7');
    assert.deepEqual(await b.body.json(), { message: 'slow down' });
    const c = await request(`${fake.url}/go`, { method: 'POST', body: '' });
    assert.equal(await c.body.text(), '0:ab\n1:cd\n2:ef\n3:gh\nend\n');
    const calls = await fake.waitForCalls(3);
    assert.deepEqual(calls[0].body, { n: 1 });
    assert.equal(calls[0].path, '/api/go');
    assert.equal(calls[0].url, '/api/go?x=1');
    assert.equal(calls[0].headers.authorization, 'Bearer k');
    assert.equal(calls[1].body, undefined);
    assert.equal(calls[1].rawBody.toString(), 'not json');
  } finally {
    await fake.close();
  }
});

test('mid-stream error replaces the rest; a cut destroys the socket after the flushed chunks', async () => {
  const fake = await lineFake();
  try {
    fake.enqueue({ midStreamError: { afterChunks: 1, message: 'boom' } }, { cutAfterChunks: 2 }, { cutAfterChunks: 99, text: 'ab' });
    const a = await request(`${fake.url}/go`, { method: 'POST' });
    assert.equal(await a.body.text(), '0:ab\nerror after 1: boom\n');
    const b = await request(`${fake.url}/go`, { method: 'POST' });
    let got = '';
    await assert.rejects(async () => {
      for await (const chunk of b.body) got += chunk.toString();
    });
    assert.equal(got, '0:ab\n1:cd\n');
    const c = await request(`${fake.url}/go`, { method: 'POST' });
    let gotC = '';
    await assert.rejects(async () => {
      for await (const chunk of c.body) gotC += chunk.toString();
    });
    assert.equal(gotC, '0:ab\n', 'a count past the content cuts after the last piece, before the end frames');
  } finally {
    await fake.close();
  }
});

test('waitForCalls rejects with the count when the calls do not come', async () => {
  const fake = await lineFake();
  try {
    await assert.rejects(fake.waitForCalls(1, 50), /0 of 1 calls/);
  } finally {
    await fake.close();
  }
});

test('textPieces keeps characters whole', () => {
  assert.deepEqual(textPieces('héllo😀wörld', 3), ['hél', 'lo😀', 'wör', 'ld']);
});
