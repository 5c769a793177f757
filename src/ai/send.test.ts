import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { ProviderPlan } from './plan.ts';
import { CallCancel, closeProviderAgents, sendStream, sendWhole, splitUrl, type ProviderStream } from './send.ts';

// A real provider-like server on loopback: each path is one behaviour.
let origin: string;
let closedEarly = 0;
const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  req.resume();
  req.on('end', () => {
    if (req.url === '/whole') {
      res.setHeader('x-request-id', 'req-1');
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.end('{"ok":true}');
    } else if (req.url === '/error') {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('x'.repeat(10_000));
    } else if (req.url === '/big-stream') {
      // 1 MiB in 4 KiB chunks, each with its index, as fast as the socket takes them.
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      let i = 0;
      const pump = () => {
        while (i < 256) {
          const chunk = Buffer.alloc(4096, i % 256);
          i++;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    } else if (req.url === '/endless') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const timer = setInterval(() => res.write('data: x\n\n'), 5);
      res.on('close', () => {
        clearInterval(timer);
        if (!res.writableFinished) closedEarly++;
      });
    } else if (req.url === '/cut') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: first\n\n', () => setTimeout(() => res.socket?.destroy(), 10));
    } else if (req.url === '/slow') {
      setTimeout(() => res.end('late'), 2000).unref();
    }
  });
});
const plan = { name: 'fake', timeouts: { connectMs: 1000, firstByteMs: 1000, idleMs: 1000 } } as unknown as ProviderPlan;
const call = (path: string) => ({ url: `${origin}${path}`, headers: { 'content-type': 'application/json' }, body: '{"q":1}' });

before(async () => {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  await closeProviderAgents([plan]);
  server.closeAllConnections();
  server.close();
});

test('splitUrl keeps the path and query, and gives / when there is none', () => {
  assert.deepEqual(splitUrl('https://api.example.com/v1/chat/completions'), { origin: 'https://api.example.com', path: '/v1/chat/completions' });
  assert.deepEqual(splitUrl('http://127.0.0.1:8080/openai/deployments/d/chat/completions?api-version=2024-10-21'), { origin: 'http://127.0.0.1:8080', path: '/openai/deployments/d/chat/completions?api-version=2024-10-21' });
  assert.deepEqual(splitUrl('http://host:1'), { origin: 'http://host:1', path: '/' });
  assert.deepEqual(splitUrl('http://host:1?x=1'), { origin: 'http://host:1', path: '/?x=1' });
});

test('a whole answer comes back as one Buffer with lowercased headers, repeated ones as an array', async () => {
  const sent = await sendWhole(plan, call('/whole'), new CallCancel(), 64);
  assert.equal(sent.ok, true);
  if (!sent.ok) return;
  assert.equal(sent.statusCode, 200);
  assert.equal(sent.headers['x-request-id'], 'req-1');
  assert.deepEqual(sent.headers['set-cookie'], ['a=1', 'b=2']);
  assert.equal((sent.body as Buffer).toString(), '{"ok":true}');
});

test('an error answer is kept only up to the limit, streamed or not', async () => {
  const whole = await sendWhole(plan, call('/error'), new CallCancel(), 100);
  assert.ok(whole.ok);
  if (whole.ok) assert.equal((whole.body as Buffer).length, 100);
  // A streamed call that failed comes whole too: its error body, cut at the limit.
  const streamed = await sendStream(plan, call('/error'), new CallCancel(), 100);
  assert.ok(streamed.ok);
  if (!streamed.ok) return;
  assert.equal(streamed.statusCode, 500);
  assert.ok(Buffer.isBuffer(streamed.body));
  assert.equal(streamed.body.length, 100);
});

/** A streamed call's body, which must be a stream (a 2xx answer). */
async function streamOf(path: string): Promise<ProviderStream> {
  const sent = await sendStream(plan, call(path), new CallCancel(), 64);
  assert.ok(sent.ok && !Buffer.isBuffer(sent.body), `${path} answered as a stream`);
  return sent.body as ProviderStream;
}

test('a streamed body arrives whole and in order through a slow reader (back-pressure pauses the provider)', async () => {
  const body = await streamOf('/big-stream');
  const bytes: number[] = [];
  let reads = 0;
  for await (const c of body) {
    for (let i = 0; i < c.length; i += 4096) bytes.push(c[i]);
    if (++reads % 8 === 0) await new Promise((r) => setTimeout(r, 1));
  }
  const all = bytes.length;
  assert.ok(all >= 256, `read ${all} chunk starts`);
  // Every 4 KiB block's fill byte appears in order.
  let expect = 0;
  for (let i = 0; i < bytes.length && expect < 256; i++) if (bytes[i] === expect % 256) expect++;
  assert.equal(expect, 256);
});

test('leaving a stream early aborts the provider call (the provider sees its connection close)', async () => {
  const before = closedEarly;
  const body = await streamOf('/endless');
  let n = 0;
  for await (const _ of body) if (++n === 3) break;
  for (let i = 0; i < 100 && closedEarly === before; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(closedEarly, before + 1);
});

test('a stream cut by the provider fails the reader after the bytes that arrived', async () => {
  const body = await streamOf('/cut');
  let text = '';
  await assert.rejects(async () => {
    for await (const c of body) text += Buffer.from(c).toString();
  });
  assert.equal(text, 'data: first\n\n');
});

test('cancelling the call (the client left) fails it at once, before or during the wait', async () => {
  const early = new CallCancel();
  early.abort();
  const a = await sendWhole(plan, call('/slow'), early, 64);
  assert.equal(a.ok, false);
  const during = new CallCancel();
  const started = Date.now();
  const pending = sendWhole(plan, call('/slow'), during, 64);
  setTimeout(() => during.abort(), 50);
  const b = await pending;
  assert.equal(b.ok, false);
  assert.ok(Date.now() - started < 1500, 'did not wait for the provider');
});

test('no answer head within firstByteMs is a timeout', async () => {
  const quick = { name: 'quick', timeouts: { connectMs: 1000, firstByteMs: 100, idleMs: 1000 } } as unknown as ProviderPlan;
  const sent = await sendWhole(quick, call('/slow'), new CallCancel(), 64);
  await closeProviderAgents([quick]);
  assert.equal(sent.ok, false);
  if (!sent.ok) assert.equal(sent.failure, 'timeout');
});
