import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyUpstreamError } from '../src/proxy/classify.ts';
import { blackholePort, closedPort, rawExchange, send, startFront, startRawUpstream } from './proxy-harness.ts';

const fast = { timeouts: { connectMs: 200, headersMs: 200, bodyMs: 200 } };

const classifyRows: Array<[code: string | undefined, message: string, expected: string]> = [
  ['ECONNREFUSED', 'connect ECONNREFUSED', 'upstream.connect_failed'],
  ['ENOTFOUND', 'getaddrinfo ENOTFOUND', 'upstream.connect_failed'],
  ['UND_ERR_CONNECT_TIMEOUT', 'Connect Timeout Error', 'upstream.connect_timeout'],
  ['UND_ERR_HEADERS_TIMEOUT', 'Headers Timeout Error', 'upstream.headers_timeout'],
  ['UND_ERR_BODY_TIMEOUT', 'Body Timeout Error', 'upstream.body_timeout'],
  ['UND_ERR_SOCKET', 'other side closed', 'upstream.reset'],
  ['UND_ERR_SOCKET', 'bad response', 'upstream.bad_response'],
  ['ECONNRESET', 'read ECONNRESET', 'upstream.reset'],
  ['HPE_INVALID_CONSTANT', 'Expected HTTP/', 'upstream.bad_response'],
  ['UND_ERR_RES_CONTENT_LENGTH_MISMATCH', 'mismatch', 'upstream.bad_response'],
  ['UND_ERR_CLOSED', 'The client is closed', 'upstream.unavailable'],
  [undefined, 'something odd', 'upstream.reset'],
  ['HTTPParserError', 'Response does not match the HTTP/1.1 protocol', 'upstream.bad_response'],
];

for (const [code, message, expected] of classifyRows) {
  test(`classify ${code ?? '(no code)'} "${message}" -> ${expected}`, () => {
    const err = code === 'HTTPParserError' ? Object.assign(new Error(message), { name: code }) : Object.assign(new Error(message), { code });
    assert.equal(classifyUpstreamError(err), expected);
  });
}

test('connection refused -> 502 upstream.connect_failed', async () => {
  const port = await closedPort();
  const f = await startFront({ s: { upstreams: [{ url: `http://127.0.0.1:${port}` }], ...fast } });
  try {
    const res = await send(f.url, { method: 'POST', path: '/x', body: '{}' });
    assert.equal(res.status, 502);
    assert.equal(JSON.parse(res.body.toString()).code, 'upstream.connect_failed');
    const o = await f.outcome(1);
    assert.equal(o.error, 'upstream.connect_failed');
    assert.equal(o.attempts, 1);
    assert.match(o.errorDetail!, /ECONNREFUSED/);
  } finally {
    await f.close();
  }
});

test('an upstream that never completes the TCP handshake -> 504 upstream.connect_timeout', async () => {
  const hole = await blackholePort();
  const f = await startFront({ s: { upstreams: [{ url: `http://127.0.0.1:${hole.port}` }], ...fast } });
  try {
    const t0 = Date.now();
    const res = await send(f.url, { path: '/x' });
    assert.equal(res.status, 504);
    assert.equal((await f.outcome(1)).error, 'upstream.connect_timeout');
    assert.ok(Date.now() - t0 < 2000);
  } finally {
    await f.close();
    hole.close();
  }
});

test('an upstream that accepts and never answers -> 504 upstream.headers_timeout after headersMs', async () => {
  const up = await startRawUpstream(() => {});
  const f = await startFront({ s: { upstreams: [{ url: up.url }], ...fast } });
  try {
    const t0 = Date.now();
    const res = await send(f.url, { path: '/hang' });
    const took = Date.now() - t0;
    assert.equal(res.status, 504);
    assert.equal(JSON.parse(res.body.toString()).code, 'upstream.headers_timeout');
    assert.ok(took >= 150 && took < 2000, `took ${took} ms`);
    const o = await f.outcome(1);
    assert.equal(o.error, 'upstream.headers_timeout');
    assert.equal(up.requests, 1);
  } finally {
    await f.close();
    await up.close();
  }
});

test('an upstream that stalls mid-body: the client connection is closed, outcome upstream.body_timeout', async () => {
  const up = await startRawUpstream((sock) => sock.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nfirst-part'));
  const f = await startFront({ s: { upstreams: [{ url: up.url }], ...fast } });
  try {
    const answer = await rawExchange(f.port, 'GET /stall HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.match(answer, /^HTTP\/1\.1 200 /);
    assert.match(answer, /content-length: 100\r\n/i);
    assert.ok(answer.endsWith('first-part'), 'the client gets what was sent, then a close: short of the announced length');
    const o = await f.outcome(1);
    assert.equal(o.error, 'upstream.body_timeout');
    assert.equal(o.upstreamStatus, 200);
  } finally {
    await f.close();
    await up.close();
  }
});

test('an upstream that resets mid-response (chunked): the client sees no final chunk, outcome upstream.reset', async () => {
  let n = 0;
  const up = await startRawUpstream((sock) => {
    if (++n > 1) return void sock.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfine!');
    sock.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n');
    setTimeout(() => sock.destroy(), 30);
  });
  const f = await startFront({ s: { upstreams: [{ url: up.url }], ...fast } });
  try {
    const answer = await rawExchange(f.port, 'GET /reset HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.match(answer, /^HTTP\/1\.1 200 /);
    assert.match(answer, /hello/);
    assert.doesNotMatch(answer, /\r\n0\r\n\r\n$/, 'no terminating chunk: the client knows the body is cut');
    const o = await f.outcome(1);
    assert.equal(o.error, 'upstream.reset');
    // The proxy keeps serving.
    const next = await send(f.url, { path: '/again' });
    assert.equal(next.status, 200);
    assert.equal(next.body.toString(), 'fine!');
  } finally {
    await f.close();
    await up.close();
  }
});

test('an upstream that closes before answering -> 502 upstream.reset', async () => {
  const up = await startRawUpstream((sock) => sock.destroy());
  const f = await startFront({ s: { upstreams: [{ url: up.url }], ...fast } });
  try {
    const res = await send(f.url, { path: '/x' });
    assert.equal(res.status, 502);
    assert.equal((await f.outcome(1)).error, 'upstream.reset');
  } finally {
    await f.close();
    await up.close();
  }
});

test('an upstream that does not speak HTTP -> 502 upstream.bad_response', async () => {
  const up = await startRawUpstream((sock) => sock.end('SSH-2.0-OpenSSH_9.6\r\n\r\n'));
  const f = await startFront({ s: { upstreams: [{ url: up.url }], ...fast } });
  try {
    const res = await send(f.url, { path: '/x' });
    assert.equal(res.status, 502);
    assert.equal(JSON.parse(res.body.toString()).code, 'upstream.bad_response');
    assert.equal((await f.outcome(1)).error, 'upstream.bad_response');
  } finally {
    await f.close();
    await up.close();
  }
});

test('a response header with a forbidden character -> 502 bad_response, and no upstream header leaks into the problem', async () => {
  const up = await startRawUpstream((sock) => sock.end('HTTP/1.1 200 OK\r\nSet-Cookie: session=abc\r\nX-Bad: a\x7fb\r\nContent-Length: 2\r\n\r\nok'));
  const f = await startFront({ s: { upstreams: [{ url: up.url }], ...fast } });
  try {
    const res = await send(f.url, { path: '/x' });
    assert.equal(res.status, 502);
    assert.equal(res.headers['set-cookie'], undefined);
    assert.equal(res.headers['x-bad'], undefined);
    assert.match(String(res.headers['x-request-id']), /^req_test_/);
    const o = await f.outcome(1);
    assert.equal(o.error, 'upstream.bad_response');
  } finally {
    await f.close();
    await up.close();
  }
});
