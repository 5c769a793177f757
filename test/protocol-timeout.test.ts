// Slow and vanishing clients: a request that does not arrive in time is 408, one cut short
// is 400, both are logged; a connection that never sent a byte is closed quietly.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import { assertLogged, assertRefused, assertStillServing, startProtocolFixture, TYPE_BASE, type ProtocolFixture } from './helpers/protocol-fixture.ts';
import { assertProblem, exchange, parseResponses } from './helpers/raw-http.ts';

let f: ProtocolFixture;
before(async () => {
  f = await startProtocolFixture('requestTimeoutMs: 300');
});
after(async () => {
  await f.close();
});

test('a head that stops arriving is 408, retryable, and logged', async () => {
  const t0 = Date.now();
  const r = await assertRefused(f, 'GET /orders HTTP/1.1\r\nHost: api.example.com\r\n', 408, 'protocol.request_timeout', { reachesUpstream: false });
  assert.ok(Date.now() - t0 < 1900, 'answered soon after the timeout');
  assert.equal(r.body.retryable, true);
  await assertLogged(f, r.requestId, 408, 'protocol.request_timeout');
});

test('a body that stops arriving is 408 and no complete request reaches the upstream', async () => {
  const r = await assertRefused(f, 'POST /orders HTTP/1.1\r\nHost: api.example.com\r\nContent-Length: 10\r\n\r\nab', 408, 'protocol.request_timeout');
  await assertLogged(f, r.requestId, 408, 'protocol.request_timeout');
  const stored = (await f.gw.reader()).get(r.requestId)!;
  assert.equal(stored.method, 'POST');
  assert.equal(stored.path, '/orders');
});

test('a connection that never sends a byte is closed without an answer or a log entry', async () => {
  const reader = await f.gw.reader();
  const before = reader.list({ code: 'protocol.request_timeout' }).length;
  const ex = await exchange(f.gw.port, [Buffer.alloc(0)], 2500);
  assert.ok(ex.closedByServer, 'the gateway closes the idle connection');
  assert.equal(ex.raw, '');
  assert.equal((await f.gw.reader()).list({ code: 'protocol.request_timeout' }).length, before);
});

test('a client that closes its side mid-head gets 400 incomplete_request, logged', async () => {
  const text = await new Promise<string>((resolve) => {
    const s = connect(f.gw.port, '127.0.0.1', () => s.end('GET /orders HTTP/1.1\r\nHost: api.exa'));
    let out = '';
    s.on('data', (d: Buffer) => (out += d.toString('latin1')));
    s.on('error', () => {});
    s.on('close', () => resolve(out));
    setTimeout(() => s.destroy(), 2000);
  });
  const [res] = parseResponses(text);
  const body = assertProblem(res, 400, 'protocol.incomplete_request', TYPE_BASE);
  assert.equal(body.retryable, true);
  await assertLogged(f, String(body.request_id), 400, 'protocol.incomplete_request');
  await assertStillServing(f);
});

test('a client that resets the connection mid-head or mid-body costs nothing but that connection', async () => {
  const complete = f.upstream.seen.length;
  for (const partial of ['GET /orders HTTP/1.1\r\nHost: api.exa', 'POST /orders HTTP/1.1\r\nHost: api.example.com\r\nContent-Length: 100\r\n\r\nabc']) {
    const s = connect(f.gw.port, '127.0.0.1');
    s.on('error', () => {});
    await new Promise<void>((r) => s.once('connect', () => r()));
    s.write(partial);
    await new Promise((r) => setTimeout(r, 30));
    s.resetAndDestroy();
    await new Promise((r) => s.once('close', r));
  }
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(f.upstream.seen.length, complete, 'no complete request reached the upstream');
  await assertStillServing(f);
});
