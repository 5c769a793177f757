// The request head: request line, headers, Host and request-target. Each malformed head gets
// a problem response that says what to fix, the upstream never sees it, the gateway goes on.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertLogged, assertRefused, startProtocolFixture, type ProtocolFixture } from './helpers/protocol-fixture.ts';
import { exchange } from './helpers/raw-http.ts';

let f: ProtocolFixture;
before(async () => {
  f = await startProtocolFixture('maxUrlLength: 200');
});
after(async () => {
  await f.close();
});

const HOST = 'Host: api.example.com\r\n';
const CLOSE = 'Connection: close\r\n';
const none = { reachesUpstream: false } as const;

test('a control byte in a header value is refused', async () => {
  const r = await assertRefused(f, `GET /orders HTTP/1.1\r\n${HOST}X-Note: a\x01b\r\n\r\n`, 400, 'protocol.header_invalid', none);
  assert.match(String(r.body.hint), /Invalid header value char/);
  await assertLogged(f, r.requestId, 400, 'protocol.header_invalid');
});

test('a header name with a space, an empty name, and line folding are refused', async () => {
  await assertRefused(f, `GET /orders HTTP/1.1\r\n${HOST}X Note: b\r\n\r\n`, 400, 'protocol.header_invalid', none);
  await assertRefused(f, `GET /orders HTTP/1.1\r\n${HOST}: b\r\n\r\n`, 400, 'protocol.header_invalid', none);
  await assertRefused(f, `GET /orders HTTP/1.1\r\n${HOST}X-Note: b\r\n  folded\r\n\r\n`, 400, 'protocol.header_invalid', none);
});

test('a bare CR inside the head is refused', async () => {
  await assertRefused(f, `GET /orders HTTP/1.1\r\n${HOST}X-A: b\rX-B: c\r\n\r\n`, 400, 'protocol.header_invalid', none);
});

test('a raw NUL in the URL is refused by the parser, and logged with what could be read', async () => {
  const r = await assertRefused(f, `GET /orders/1\x00.json HTTP/1.1\r\n${HOST}\r\n`, 400, 'protocol.request_line_invalid', none);
  await assertLogged(f, r.requestId, 400, 'protocol.request_line_invalid');
  const stored = (await f.gw.reader()).get(r.requestId)!;
  assert.equal(stored.method, 'GET');
  assert.equal(stored.path, '/orders/1%00.json', 'raw bytes are never logged as control characters');
});

test('an encoded NUL or control character in the path is refused by the protocol layer', async () => {
  const r = await assertRefused(f, `GET /orders/1%00.json HTTP/1.1\r\n${HOST}${CLOSE}\r\n`, 400, 'protocol.url_invalid', none);
  assert.match(String(r.body.hint), /%00/);
  await assertLogged(f, r.requestId, 400, 'protocol.url_invalid');
  await assertRefused(f, `GET /orders/%0d%0aSet-Cookie:x HTTP/1.1\r\n${HOST}${CLOSE}\r\n`, 400, 'protocol.url_invalid', none);
});

test('invalid percent-encoding (%zz) is refused, in the path and in the query', async () => {
  const r = await assertRefused(f, `GET /orders/%zz HTTP/1.1\r\n${HOST}${CLOSE}\r\n`, 400, 'protocol.url_invalid', none);
  assert.match(String(r.body.hint), /%25/);
  assert.equal(r.body.layer, 'protocol');
  await assertRefused(f, `GET /orders?discount=100% HTTP/1.1\r\n${HOST}${CLOSE}\r\n`, 400, 'protocol.url_invalid', none);
});

test('dot segments, raw or encoded, are refused', async () => {
  await assertRefused(f, `GET /orders/../admin HTTP/1.1\r\n${HOST}${CLOSE}\r\n`, 400, 'protocol.url_invalid', none);
  await assertRefused(f, `GET /orders/%2e%2e%2fadmin HTTP/1.1\r\n${HOST}${CLOSE}\r\n`, 400, 'protocol.url_invalid', none);
});

test('a URL over gateway.maxUrlLength is 414', async () => {
  const r = await assertRefused(f, `GET /orders/${'x'.repeat(300)} HTTP/1.1\r\n${HOST}${CLOSE}\r\n`, 414, 'protocol.url_too_long', none);
  await assertLogged(f, r.requestId, 414, 'protocol.url_too_long');
});

test('a huge header is 431, even when the client goes on sending', async () => {
  const r = await assertRefused(f, [`GET /orders HTTP/1.1\r\n${HOST}X-Big: ${'a'.repeat(40_000)}`, 'a'.repeat(40_000), '\r\n\r\n'], 431, 'protocol.headers_too_large', none);
  assert.equal(r.body.retryable, false);
  await assertLogged(f, r.requestId, 431, 'protocol.headers_too_large');
});

test('a URL longer than the whole head limit is 431 from the parser', async () => {
  await assertRefused(f, `GET /${'a'.repeat(20_000)} HTTP/1.1\r\n${HOST}\r\n`, 431, 'protocol.headers_too_large', none);
});

test('HTTP/1.1 without Host is 400; HTTP/1.0 without Host is served', async () => {
  const r = await assertRefused(f, `GET /orders HTTP/1.1\r\n${CLOSE}\r\n`, 400, 'protocol.host_missing', none);
  assert.match(String(r.body.hint), /Host/);
  await assertLogged(f, r.requestId, 400, 'protocol.host_missing');
  const ok = await exchange(f.gw.port, 'GET /orders/9 HTTP/1.0\r\n\r\n');
  assert.equal(ok.responses[0]?.status, 200);
});

test('two Host headers, or a Host that is not host[:port], are refused', async () => {
  const r = await assertRefused(f, `GET /orders HTTP/1.1\r\n${HOST}Host: evil.example\r\n${CLOSE}\r\n`, 400, 'protocol.host_invalid', none);
  await assertLogged(f, r.requestId, 400, 'protocol.host_invalid');
  await assertRefused(f, `GET /orders HTTP/1.1\r\nHost: api.example.com, evil.example\r\n${CLOSE}\r\n`, 400, 'protocol.host_invalid', none);
  await assertRefused(f, `GET /orders HTTP/1.1\r\nHost: user@api.example.com\r\n${CLOSE}\r\n`, 400, 'protocol.host_invalid', none);
});

test('a malformed request line is refused', async () => {
  await assertRefused(f, `G@T /orders HTTP/1.1\r\n${HOST}\r\n`, 400, 'protocol.request_line_invalid', none);
  await assertRefused(f, `GET /orders HTTP/1.1 extra\r\n${HOST}\r\n`, 400, 'protocol.request_line_invalid', none);
  await assertRefused(f, 'hello there\r\n\r\n', 400, 'protocol.request_line_invalid', none);
  await assertRefused(f, `GET /orders HTTP/1.1\n${HOST}\n`, 400, 'protocol.request_line_invalid', none);
});

test('an HTTP version other than 1.1 and 1.0 is 505', async () => {
  await assertRefused(f, `GET /orders HTTP/1.2\r\n${HOST}\r\n`, 505, 'protocol.version_unsupported', none);
  // The parser reads this line as HTTP/2.0; the protocol layer refuses it.
  await assertRefused(f, `GET /orders HTTP/2.0\r\n${HOST}${CLOSE}\r\n`, 505, 'protocol.version_unsupported', none);
});

test('absolute-form: served when it names the Host, refused when it names another', async () => {
  const before = f.upstream.seen.length;
  const ok = await exchange(f.gw.port, `GET http://api.example.com/orders/5?x=1 HTTP/1.1\r\n${HOST}${CLOSE}\r\n`);
  assert.equal(ok.responses[0]?.status, 200);
  assert.equal(f.upstream.seen[before].url, '/orders/5?x=1', 'the upstream gets the origin-form target');
  await assertRefused(f, `GET http://evil.example/orders/5 HTTP/1.1\r\n${HOST}${CLOSE}\r\n`, 400, 'protocol.url_invalid', none);
  await assertRefused(f, `GET * HTTP/1.1\r\n${HOST}${CLOSE}\r\n`, 400, 'protocol.url_invalid', none);
  await assertRefused(f, `GET /orders#frag HTTP/1.1\r\n${HOST}${CLOSE}\r\n`, 400, 'protocol.url_invalid', none);
});

test('CONNECT gets a problem response, never a tunnel', async () => {
  const r = await assertRefused(f, `CONNECT api.example.com:443 HTTP/1.1\r\nHost: api.example.com:443\r\n\r\n`, 501, 'protocol.connect_unsupported', none);
  await assertLogged(f, r.requestId, 501, 'protocol.connect_unsupported');
});
