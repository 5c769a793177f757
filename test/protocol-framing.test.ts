// Body framing: every request whose length could be read two ways is refused before anything
// of it is forwarded, so no request can be smuggled past the gateway to the upstream.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertLogged, assertRefused, startProtocolFixture, type ProtocolFixture } from './helpers/protocol-fixture.ts';
import { exchange } from './helpers/raw-http.ts';

let f: ProtocolFixture;
before(async () => {
  f = await startProtocolFixture();
});
after(async () => {
  await f.close();
});

const HEAD = 'POST /orders HTTP/1.1\r\nHost: api.example.com\r\n';

test('Content-Length together with Transfer-Encoding is refused (either order)', async () => {
  for (const headers of ['Content-Length: 5\r\nTransfer-Encoding: chunked\r\n', 'Transfer-Encoding: chunked\r\nContent-Length: 5\r\n']) {
    const r = await assertRefused(f, `${HEAD}${headers}\r\n0\r\n\r\n`, 400, 'protocol.ambiguous_length', { reachesUpstream: false });
    assert.match(String(r.body.hint), /never both|without Content-Length/);
    await assertLogged(f, r.requestId, 400, 'protocol.ambiguous_length');
  }
});

test('two different Content-Length values are refused', async () => {
  const r = await assertRefused(f, `${HEAD}Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!`, 400, 'protocol.ambiguous_length', { reachesUpstream: false });
  assert.match(String(r.body.hint), /Duplicate Content-Length/);
  await assertLogged(f, r.requestId, 400, 'protocol.ambiguous_length');
});

test('a Content-Length that is not a decimal number is refused', async () => {
  await assertRefused(f, `${HEAD}Content-Length: 5, 5\r\n\r\nhello`, 400, 'protocol.ambiguous_length', { reachesUpstream: false });
  await assertRefused(f, `${HEAD}Content-Length: -1\r\n\r\n`, 400, 'protocol.ambiguous_length', { reachesUpstream: false });
});

test('a chunk size that is not hexadecimal is refused', async () => {
  const r = await assertRefused(f, `${HEAD}Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n`, 400, 'protocol.bad_chunking');
  assert.match(String(r.body.hint), /chunk size/);
  await assertLogged(f, r.requestId, 400, 'protocol.bad_chunking');
});

test('chunk data without its CRLF, and bare LF line endings, are refused', async () => {
  await assertRefused(f, `${HEAD}Transfer-Encoding: chunked\r\n\r\n5\r\nhelloX0\r\n\r\n`, 400, 'protocol.bad_chunking');
  await assertRefused(f, `${HEAD}Transfer-Encoding: chunked\r\n\r\n5\nhello\n0\n\n`, 400, 'protocol.bad_chunking');
});

test('an error in a chunked body sent in pieces still gets an answer and nothing complete upstream', async () => {
  const r = await assertRefused(f, [`${HEAD}Transfer-Encoding: chunked\r\n\r\n`, '5\r\nhello\r\n', 'g\r\n'], 400, 'protocol.bad_chunking');
  await assertLogged(f, r.requestId, 400, 'protocol.bad_chunking');
});

test('CL.TE smuggling: the smuggled request never reaches the upstream', async () => {
  const smuggle = `${HEAD}Content-Length: 44\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /orders/666 HTTP/1.1\r\nHost: api.example.com\r\n\r\n`;
  await assertRefused(f, smuggle, 400, 'protocol.ambiguous_length', { reachesUpstream: false });
  assert.ok(!f.upstream.seen.some((s) => s.url === '/orders/666'));
});

test('TE.CL smuggling: refused, nothing forwarded', async () => {
  const inner = 'GET /orders/667 HTTP/1.1\r\nHost: api.example.com\r\n\r\n';
  const smuggle = `${HEAD}Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n${inner.length.toString(16)}\r\n${inner}\r\n0\r\n\r\n`;
  await assertRefused(f, smuggle, 400, 'protocol.ambiguous_length', { reachesUpstream: false });
  assert.ok(!f.upstream.seen.some((s) => s.url === '/orders/667'));
});

test('obfuscated Transfer-Encoding variants are refused', async () => {
  // A space before the colon: some servers ignore the header, others honour it.
  await assertRefused(f, `${HEAD}Transfer-Encoding : chunked\r\nContent-Length: 3\r\n\r\nabc`, 400, 'protocol.header_invalid', { reachesUpstream: false });
  // The parser lets the head of this one through; the protocol layer refuses it first.
  await assertRefused(f, `${HEAD}Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n`, 501, 'protocol.transfer_coding_unsupported', { reachesUpstream: false });
  await assertRefused(f, `${HEAD}Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n`, 400, 'protocol.ambiguous_length', { reachesUpstream: false });
  await assertRefused(f, `${HEAD}Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, 400, 'protocol.ambiguous_length', { reachesUpstream: false });
});

test('a transfer coding besides chunked is refused with 501 by the protocol layer', async () => {
  const r = await assertRefused(f, `${HEAD}Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n`, 501, 'protocol.transfer_coding_unsupported', { reachesUpstream: false });
  assert.equal(r.body.layer, 'protocol');
  await assertLogged(f, r.requestId, 501, 'protocol.transfer_coding_unsupported');
});

test('Transfer-Encoding in an HTTP/1.0 request is refused as faulty framing', async () => {
  const r = await assertRefused(f, 'POST /orders HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n', 400, 'protocol.ambiguous_length', {
    reachesUpstream: false,
  });
  await assertLogged(f, r.requestId, 400, 'protocol.ambiguous_length');
});

test('pipelined: the legitimate first request is served, the malformed second is refused after it', async () => {
  const before = f.upstream.seen.length;
  const ex = await exchange(f.gw.port, 'GET /orders/1 HTTP/1.1\r\nHost: api.example.com\r\n\r\nGET /orders/2 HTTP/1.1\r\nHost: api.example.com\r\nX-A: a\x01b\r\n\r\n');
  assert.deepEqual(
    ex.responses.map((r) => r.status),
    [200, 400],
  );
  assert.equal(JSON.parse(ex.responses[1].body).code, 'protocol.header_invalid');
  assert.deepEqual(
    f.upstream.seen.slice(before).map((s) => s.url),
    ['/orders/1'],
  );
});

test('a well-framed chunked POST still goes through', async () => {
  const ex = await exchange(f.gw.port, `${HEAD}Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n`);
  assert.equal(ex.responses[0]?.status, 200);
  assert.equal(JSON.parse(ex.responses[0].body).body, 'hello world');
});
