import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { test } from 'node:test';
import { listen, send, sleep, startFront } from './proxy-harness.ts';

/** Resolves when `check` holds, polling every 10 ms for at most `ms`. */
async function eventually(check: () => boolean, ms = 2000, what = 'condition'): Promise<void> {
  for (let waited = 0; waited < ms; waited += 10) {
    if (check()) return;
    await sleep(10);
  }
  assert.fail(`timed out waiting for: ${what}`);
}

test('a client that disconnects mid-body aborts the upstream request', async () => {
  let upstreamReq: IncomingMessage | undefined;
  let upstreamBytes = 0;
  let upstreamClosed = false;
  const up = await listen(
    createServer((req) => {
      upstreamReq = req;
      req.on('data', (c: Buffer) => (upstreamBytes += c.length));
      req.on('close', () => (upstreamClosed = true));
      req.on('error', () => {});
    }),
  );
  const f = await startFront({ s: { upstreams: [{ url: up.url }] } });
  try {
    const sock = connect(f.port, '127.0.0.1');
    sock.on('error', () => {});
    await new Promise<void>((r) => sock.once('connect', () => r()));
    sock.write(`POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: ${10 * 1024 * 1024}\r\n\r\n`);
    sock.write(Buffer.alloc(256 * 1024, 1));
    await eventually(() => upstreamBytes > 0, 2000, 'the upstream receives the start of the body');
    sock.destroy();
    await eventually(() => upstreamClosed, 2000, 'the upstream request is closed');
    assert.equal(upstreamReq!.complete, false, 'the upstream never got the whole body');
    const o = await f.outcome(1);
    assert.equal(o.error, 'client.aborted');
    assert.equal(o.attempts, 1);
  } finally {
    await f.close();
    await up.close();
  }
});

test('a client that leaves while the upstream is still thinking aborts the upstream request at once', async () => {
  let upstreamGone = false;
  const up = await listen(
    createServer((_req, res) => {
      res.on('close', () => (upstreamGone = true));
    }),
  );
  const f = await startFront({ s: { upstreams: [{ url: up.url }], timeouts: { headersMs: 10_000 } } });
  try {
    const sock = connect(f.port, '127.0.0.1');
    sock.on('error', () => {});
    await new Promise<void>((r) => sock.once('connect', () => r()));
    sock.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n');
    await sleep(100);
    const t0 = Date.now();
    sock.destroy();
    await eventually(() => upstreamGone, 2000, 'the upstream connection is closed');
    const o = await f.outcome(1);
    assert.equal(o.error, 'client.aborted');
    assert.ok(Date.now() - t0 < 1000, 'without waiting for the headers timeout');
  } finally {
    await f.close();
    await up.close();
  }
});

test('a client that leaves mid-response stops the upstream stream', async () => {
  let chunksWritten = 0;
  let upstreamGone = false;
  const up = await listen(
    createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const timer = setInterval(() => {
        if (chunksWritten++ >= 500) return void (clearInterval(timer), res.end());
        res.write('tick\n');
      }, 10);
      res.on('close', () => {
        clearInterval(timer);
        upstreamGone = true;
      });
    }),
  );
  const f = await startFront({ s: { upstreams: [{ url: up.url }] } });
  try {
    const sock = connect(f.port, '127.0.0.1');
    sock.on('error', () => {});
    await new Promise<void>((r) => sock.once('connect', () => r()));
    sock.write('GET /stream HTTP/1.1\r\nHost: x\r\n\r\n');
    let got = '';
    await new Promise<void>((r) =>
      sock.on('data', (c) => {
        got += c.toString('latin1');
        if (got.includes('tick')) r();
      }),
    );
    sock.destroy();
    await eventually(() => upstreamGone, 2000, 'the upstream response is closed');
    assert.ok(chunksWritten < 500, 'the upstream stopped early');
    const o = await f.outcome(1);
    assert.equal(o.error, 'client.aborted');
    assert.equal(o.upstreamStatus, 200);
  } finally {
    await f.close();
    await up.close();
  }
});

test('close() lets in-flight requests finish, then closes the pools; later forwards get 503, never a rejection', async () => {
  let arrived!: () => void;
  const atUpstream = new Promise<void>((r) => (arrived = r));
  const up = await listen(
    createServer((_req, res) => {
      arrived();
      setTimeout(() => res.end('late answer'), 300);
    }),
  );
  const f = await startFront({ s: { upstreams: [{ url: up.url }] } });
  try {
    const pending = send(f.url, { path: '/slow' });
    // In flight for sure: the upstream has it (a fixed pause loses that race on a loaded machine).
    await atUpstream;
    let closedAt = 0;
    const closing = f.proxies.close().then(() => (closedAt = Date.now()));
    const res = await pending;
    const answeredAt = Date.now();
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), 'late answer');
    await closing;
    assert.ok(closedAt >= answeredAt - 5, 'close() resolved only after the in-flight request');
    const after = await send(f.url, { path: '/x' });
    assert.equal(after.status, 503);
    const o = await f.outcome(2);
    assert.equal(o.error, 'upstream.unavailable');
  } finally {
    await f.close();
    await up.close();
  }
});
