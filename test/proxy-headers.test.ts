import assert from 'node:assert/strict';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { clearCopiedHeaders, copyResponseHeaders, forwardedElement } from '../src/proxy/headers.ts';
import { upstreamPath } from '../src/proxy/target-path.ts';
import { rawExchange, send, startEcho, startFront, startRawUpstream, type EchoUpstream, type ProxyFront } from './proxy-harness.ts';

const forwardedRows: Array<[ip: string, host: string, proto: string, expected: string]> = [
  ['203.0.113.7', 'api.example.com', 'https', 'for=203.0.113.7;host=api.example.com;proto=https'],
  ['::1', 'api.example.com', 'http', 'for="[::1]";host=api.example.com;proto=http'],
  ['::ffff:127.0.0.1', 'x', 'http', 'for="[::ffff:127.0.0.1]";host=x;proto=http'],
  ['10.0.0.1', 'api.example.com:8080', 'http', 'for=10.0.0.1;host="api.example.com:8080";proto=http'],
  ['10.0.0.1', '', 'http', 'for=10.0.0.1;proto=http'],
  ['10.0.0.1', 'a"b\\c', 'http', 'for=10.0.0.1;host="a\\"b\\\\c";proto=http'],
];

for (const [ip, host, proto, expected] of forwardedRows) {
  test(`Forwarded element for ${ip} / ${host || '(no host)'}`, () => {
    assert.equal(forwardedElement(ip, host, proto), expected);
  });
}

const pathRows: Array<[path: string, query: string, strip: string | undefined, expected: string]> = [
  ['/orders/1', '', undefined, '/orders/1'],
  ['/orders/1', 'a=1&b=%20', undefined, '/orders/1?a=1&b=%20'],
  ['/v2/orders', 'x=1', '/v2', '/orders?x=1'],
  ['/v2/orders', '', '/v2/', '/orders'],
  ['/v2', '', '/v2', '/'],
  ['/v2', 'q', '/v2', '/?q'],
  ['/v2x/orders', '', '/v2', '/v2x/orders'],
  ['/other/v2', '', '/v2', '/other/v2'],
  ['/api/%2Fa%20b', '', '/api', '/%2Fa%20b'],
  ['/x', '', '/', '/x'],
  ['http://evil.example/x', '', undefined, '/http://evil.example/x'],
];

for (const [path, query, strip, expected] of pathRows) {
  test(`upstream path ${path}${query ? '?' + query : ''} strip ${strip ?? '-'} -> ${expected}`, () => {
    assert.equal(upstreamPath(path, query, strip), expected);
  });
}

let upstream: EchoUpstream;
let front: ProxyFront;
before(async () => {
  upstream = await startEcho();
  front = await startFront({ orders: { upstreams: [{ url: upstream.url }] } }, { stripPrefix: '/v2' });
});
after(async () => {
  await front.close();
  await upstream.close();
});

test('hop-by-hop request headers, and the ones Connection lists, never reach the upstream', async () => {
  const head = [
    'GET /v2/orders?id=7&x=%41 HTTP/1.1',
    'Host: api.example.com',
    'Connection: close, X-Internal-Token, x-other',
    'X-Internal-Token: secret',
    'x-other: 1',
    'Keep-Alive: timeout=5',
    'Proxy-Connection: keep-alive',
    'TE: trailers',
    'Trailer: x-checksum',
    'Upgrade: websocket',
    'Proxy-Authorization: Basic Zm9vOmJhcg==',
    'X-Kept: yes',
    'Authorization: Bearer abc',
  ].join('\r\n');
  const answer = await rawExchange(front.port, head + '\r\n\r\n');
  assert.match(answer, /^HTTP\/1\.1 200 /);
  const seen = upstream.seen.at(-1)!;
  for (const h of ['x-internal-token', 'x-other', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade', 'proxy-authorization']) {
    assert.equal(seen.headers[h], undefined, `${h} must be stripped`);
  }
  assert.equal(seen.headers.connection, 'keep-alive', 'the pool speaks for its own connection');
  assert.equal(seen.headers['x-kept'], 'yes');
  assert.equal(seen.headers.authorization, 'Bearer abc', 'end-to-end headers pass');
  assert.equal(seen.url, '/orders?id=7&x=%41', 'prefix stripped, query as is');
});

test('Host is the upstream, the original goes to X-Forwarded-Host; Forwarded and X-Forwarded-* are set', async () => {
  await send(front.url, { path: '/v2/a', headers: { host: 'api.example.com:8443', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'spoofed' } });
  const h = upstream.seen.at(-1)!.headers;
  assert.equal(h.host, new URL(upstream.url).host);
  assert.equal(h['x-forwarded-host'], 'api.example.com:8443');
  assert.equal(h['x-forwarded-proto'], 'http', 'the client cannot claim another proto');
  assert.equal(h['x-forwarded-for'], '127.0.0.1');
  assert.equal(h.forwarded, 'for=127.0.0.1;host="api.example.com:8443";proto=http');
});

test('a client-sent X-Forwarded-For and Forwarded are appended to, not trusted', async () => {
  await send(front.url, { path: '/v2/a', headers: { host: 'h', 'x-forwarded-for': '6.6.6.6', forwarded: 'for=6.6.6.6' } });
  const h = upstream.seen.at(-1)!.headers;
  assert.equal(h['x-forwarded-for'], '6.6.6.6, 127.0.0.1', 'the last hop is the address the gateway saw');
  assert.equal(h.forwarded, 'for=6.6.6.6, for=127.0.0.1;host=h;proto=http');
});

test('X-Request-Id upstream is the gateway id, not the client one; Expect is not forwarded', async () => {
  const res = await send(front.url, { method: 'POST', path: '/v2/a', headers: { 'x-request-id': 'client-chosen', 'content-type': 'text/plain' }, body: 'x' });
  const h = upstream.seen.at(-1)!.headers;
  assert.match(String(h['x-request-id']), /^req_test_\d+$/);
  assert.equal(res.headers['x-request-id'], h['x-request-id']);
  assert.equal(h.expect, undefined);
});

test('response: hop-by-hop and Connection-listed headers stripped, Set-Cookie lines kept, gateway request id wins', async () => {
  const up = await startRawUpstream((sock) => {
    sock.write(
      [
        'HTTP/1.1 201 Created',
        'Connection: X-Hop',
        'X-Hop: drop me',
        'Keep-Alive: timeout=99',
        'Proxy-Authenticate: Basic',
        'Trailer: x-sum',
        'Set-Cookie: a=1; Path=/',
        'Set-Cookie: b=2; HttpOnly',
        'X-Request-Id: upstream-id',
        'X-Custom: v1',
        'Content-Type: text/plain; charset=latin1',
        'Content-Length: 2',
        '',
        'ok',
      ].join('\r\n'),
    );
  });
  const f = await startFront({ odd: { upstreams: [{ url: up.url }] } });
  try {
    const res = await send(f.url, { path: '/x' });
    assert.equal(res.status, 201);
    assert.equal(res.body.toString(), 'ok');
    assert.deepEqual(res.headers['set-cookie'], ['a=1; Path=/', 'b=2; HttpOnly']);
    assert.equal(res.headers['x-hop'], undefined);
    assert.equal(res.headers['proxy-authenticate'], undefined);
    assert.equal(res.headers.trailer, undefined);
    assert.notEqual(res.headers['keep-alive'], 'timeout=99');
    assert.equal(res.headers['x-custom'], 'v1');
    assert.match(String(res.headers['x-request-id']), /^req_test_/);
    assert.equal(res.headers['content-type'], 'text/plain; charset=latin1');
    const o = await f.outcome(1);
    assert.equal(o.upstreamStatus, 201);
    assert.equal(o.error, undefined);
    assert.equal(typeof o.upstreamMs, 'number');
  } finally {
    await f.close();
    await up.close();
  }
});

test('a header node refuses makes the copy throw, and the undo removes what was copied, not the gateway headers', () => {
  const res = new ServerResponse(new IncomingMessage(new Socket()));
  res.setHeader('x-request-id', 'req_1');
  const raw = ['Set-Cookie', 'a=1', 'X-Ok', 'yes', 'Bad Name', 'v', 'X-After', 'z'].map((s) => Buffer.from(s, 'latin1'));
  assert.throws(() => copyResponseHeaders(res, raw), { code: 'ERR_INVALID_HTTP_TOKEN' });
  assert.equal(res.getHeader('x-ok'), 'yes');
  clearCopiedHeaders(res, raw);
  assert.deepEqual(res.getHeaderNames(), ['x-request-id']);
});
