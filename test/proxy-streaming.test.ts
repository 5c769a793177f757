import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { test } from 'node:test';
import { listen, rawExchange, send, sleep, startFront, startRawUpstream } from './proxy-harness.ts';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

test('a large body streams to the upstream and back, byte for byte (chunked both ways)', async () => {
  const up = await listen(
    createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'x-got-te': String(req.headers['transfer-encoding']) });
      req.pipe(res);
    }),
  );
  const f = await startFront({ echo: { upstreams: [{ url: up.url }] } });
  try {
    const payload = randomBytes(8 * 1024 * 1024);
    const got = await new Promise<{ status: number; te?: string; body: Buffer }>((resolve, reject) => {
      const req = httpRequest(f.url + '/upload', { method: 'POST', agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, te: res.headers['x-got-te'] as string, body: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      // Written in pieces without a length: the client sends it chunked.
      for (let i = 0; i < payload.length; i += 256 * 1024) req.write(payload.subarray(i, i + 256 * 1024));
      req.end();
    });
    assert.equal(got.status, 200);
    assert.equal(got.te, 'chunked');
    assert.equal(got.body.length, payload.length);
    assert.equal(sha(got.body), sha(payload));
    const o = await f.outcome(1);
    assert.equal(o.error, undefined);
    assert.equal(o.attempts, 1);
  } finally {
    await f.close();
    await up.close();
  }
});

test('a body with Content-Length keeps its length upstream', async () => {
  let seenLength: string | undefined;
  let seenTe: string | undefined;
  const up = await listen(
    createServer((req, res) => {
      seenLength = req.headers['content-length'];
      seenTe = req.headers['transfer-encoding'];
      let n = 0;
      req.on('data', (c: Buffer) => (n += c.length));
      req.on('end', () => res.end(String(n)));
    }),
  );
  const f = await startFront({ s: { upstreams: [{ url: up.url }] } });
  try {
    const res = await send(f.url, { method: 'PUT', path: '/x', body: Buffer.alloc(300_000, 7) });
    assert.equal(res.body.toString(), '300000');
    assert.equal(seenLength, '300000');
    assert.equal(seenTe, undefined);
  } finally {
    await f.close();
    await up.close();
  }
});

test('upstream backpressure: a client that does not read stops the upstream (no buffering in the gateway)', async () => {
  const total = 64 * 1024 * 1024;
  const progress = { written: 0, done: false };
  const up = await listen(
    createServer((_req, res) => {
      res.writeHead(200, { 'content-length': total });
      const chunk = Buffer.alloc(64 * 1024, 1);
      const pump = () => {
        while (progress.written < total) {
          progress.written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
        progress.done = true;
      };
      pump();
    }),
  );
  const f = await startFront({ big: { upstreams: [{ url: up.url }] } });
  try {
    const received = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(f.url + '/big', { agent: false }, (res) => {
        res.pause();
        let n = 0;
        setTimeout(() => {
          // Loopback socket buffers hold a few MB; a buffering proxy would have taken all 64.
          assert.ok(progress.written < 24 * 1024 * 1024, `upstream wrote ${progress.written} bytes while the client read nothing`);
          assert.equal(progress.done, false);
          res.on('data', (c: Buffer) => (n += c.length));
          res.on('end', () => resolve(n));
          res.resume();
        }, 400);
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(received, total);
    assert.equal((await f.outcome(1)).error, undefined);
  } finally {
    await f.close();
    await up.close();
  }
});

test('request backpressure: an upstream that does not read stops the client upload', async () => {
  const total = 64 * 1024 * 1024;
  let upstreamRead = 0;
  let release!: () => void;
  const up = await listen(
    createServer((req, res) => {
      req.pause();
      release = () => {
        req.on('data', (c: Buffer) => (upstreamRead += c.length));
        req.on('end', () => res.end('done'));
        req.resume();
      };
    }),
  );
  const f = await startFront({ up: { upstreams: [{ url: up.url }] } });
  try {
    const sock = connect(f.port, '127.0.0.1');
    await new Promise<void>((r) => sock.once('connect', () => r()));
    sock.write(`POST /u HTTP/1.1\r\nHost: x\r\nContent-Length: ${total}\r\nConnection: close\r\n\r\n`);
    const chunk = Buffer.alloc(256 * 1024, 2);
    let sent = 0;
    let answer = '';
    sock.on('data', (c) => (answer += c.toString('latin1')));
    const closed = new Promise<void>((r) => sock.on('close', () => r()));
    const pump = () => {
      while (sent < total) {
        sent += chunk.length;
        if (!sock.write(chunk)) return void sock.once('drain', pump);
      }
    };
    pump();
    await sleep(400);
    assert.ok(sock.bytesWritten < 24 * 1024 * 1024, `client pushed ${sock.bytesWritten} bytes into a gateway whose upstream reads nothing`);
    release();
    await closed;
    assert.equal(upstreamRead, total);
    assert.match(answer, /^HTTP\/1\.1 200 [\s\S]*done$/);
  } finally {
    await f.close();
    await up.close();
  }
});

test('HEAD, 204 and 304 answers carry no body; 103 Early Hints before the answer is skipped', async () => {
  const up = await startRawUpstream((sock, head) => {
    const path = head.split(' ')[1];
    if (path === '/204') sock.write('HTTP/1.1 204 No Content\r\nX-A: 1\r\n\r\n');
    else if (path === '/304') sock.write('HTTP/1.1 304 Not Modified\r\nETag: "v1"\r\nContent-Length: 99\r\n\r\n');
    else if (path === '/hints') sock.write('HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfinal');
    else sock.write('HTTP/1.1 200 OK\r\nContent-Length: 11\r\nContent-Type: text/plain\r\n\r\n' + (head.startsWith('HEAD') ? '' : 'hello world'));
  });
  const f = await startFront({ s: { upstreams: [{ url: up.url }] } });
  try {
    const head = await rawExchange(f.port, 'HEAD /h HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.match(head, /^HTTP\/1\.1 200 /);
    assert.match(head, /content-length: 11\r\n/i, 'HEAD keeps the length of the would-be body');
    assert.ok(head.endsWith('\r\n\r\n'), 'and sends no body');

    const noContent = await rawExchange(f.port, 'GET /204 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.match(noContent, /^HTTP\/1\.1 204 /);
    assert.match(noContent, /x-a: 1\r\n/i);
    assert.ok(noContent.endsWith('\r\n\r\n'));
    assert.doesNotMatch(noContent, /transfer-encoding/i);

    const notModified = await rawExchange(f.port, 'GET /304 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.match(notModified, /^HTTP\/1\.1 304 /);
    assert.match(notModified, /etag: "v1"\r\n/i);
    assert.ok(notModified.endsWith('\r\n\r\n'));

    const hints = await send(f.url, { path: '/hints' });
    assert.equal(hints.status, 200);
    assert.equal(hints.body.toString(), 'final');
    assert.equal((await f.outcome(4)).upstreamStatus, 200);
  } finally {
    await f.close();
    await up.close();
  }
});

test('keep-alive: many sequential requests reuse pooled upstream connections', async () => {
  let connections = 0;
  const server = createServer((req, res) => res.end(req.url));
  server.on('connection', () => connections++);
  const up = await listen(server);
  const f = await startFront({ s: { upstreams: [{ url: up.url }] } });
  try {
    for (let i = 0; i < 30; i++) {
      const r = await send(f.url, { path: `/n/${i}` });
      assert.equal(r.body.toString(), `/n/${i}`);
    }
    assert.equal(connections, 1);
  } finally {
    await f.close();
    await up.close();
  }
});
