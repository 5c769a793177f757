import assert from 'node:assert/strict';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { loadConfigText } from '../../config/load.ts';
import type { BodyRead, EvalContext } from '../../pipeline/types.ts';
import { readRequestBody } from '../../server/read-body.ts';
import { compileRoutes } from '../route/compile.ts';
import { bodyLayer } from './index.ts';
import { parseBody } from './parse.ts';

const YAML = `
services: { s: { upstreams: [{ url: "http://127.0.0.1:9" }] } }
body: { maxBytes: 64 }
routes:
  - { id: small, service: s, paths: [/small], body: { maxBytes: 8 } }
  - { id: big, service: s, paths: [/big] }
`;

function setup(read: boolean) {
  const { config } = loadConfigText(YAML, 'body.yaml');
  const routes = compileRoutes(config);
  const layer = bodyLayer(config, () => read, routes.all);
  const ctx = (routeId: string, headers: Record<string, string>, extra: Partial<EvalContext> = {}): EvalContext => ({
    req: { method: 'POST', httpVersion: '1.1', path: '/', query: '', host: 'x', headers, clientIp: '127.0.0.1' },
    audience: 'anyone',
    route: routes.all.find((r) => r.id === routeId),
    ...extra,
  });
  return { layer, ctx };
}

test('a declared length over the route limit is refused before anything is read', () => {
  const { layer, ctx } = setup(true);
  let asked = false;
  const c = ctx('small', { 'content-length': '9' }, { readBody: async () => ((asked = true), { ok: true, bytes: Buffer.alloc(0) }) });
  const d = layer.evaluate(c) as { code: string; detail: string };
  assert.equal(d.code, 'body.too_large');
  assert.match(d.detail, /limit of route small \(8 bytes\)/);
  assert.equal(asked, false);
  // the gateway-wide limit applies where the route sets none
  assert.equal((layer.evaluate(ctx('big', { 'content-length': '65' })) as { code: string }).code, 'body.too_large');
  assert.equal(layer.evaluate(ctx('big', { 'content-length': '64' })), undefined);
});

test('the body is read and parsed only where a later layer needs it', async () => {
  const streamed = setup(false);
  let reads = 0;
  const readBody = async (): Promise<BodyRead> => (reads++, { ok: true, bytes: Buffer.from('{"a":1}') });
  const c1 = streamed.ctx('big', { 'content-length': '7', 'content-type': 'application/json' }, { readBody });
  assert.equal(streamed.layer.evaluate(c1), undefined);
  assert.equal(reads, 0);
  assert.equal(c1.body, undefined);

  const inspected = setup(true);
  const c2 = inspected.ctx('big', { 'content-length': '7', 'content-type': 'application/json; charset=utf-8' }, { readBody });
  assert.equal(await inspected.layer.evaluate(c2), undefined);
  assert.equal(reads, 1);
  assert.deepEqual(c2.body?.json, { a: 1 });
  assert.equal(c2.req.rawBody?.toString(), '{"a":1}');
});

test('a chunked body over the limit and a body cut short are refused with their codes', async () => {
  const { layer, ctx } = setup(true);
  const big = await layer.evaluate(ctx('small', { 'transfer-encoding': 'chunked' }, { readBody: async () => ({ ok: false, reason: 'too_large', received: 9 }) }));
  assert.equal((big as { code: string }).code, 'body.too_large');
  const cut = await layer.evaluate(ctx('small', { 'content-length': '5' }, { readBody: async () => ({ ok: false, reason: 'aborted', received: 2 }) }));
  assert.equal((cut as { code: string }).code, 'body.incomplete');
});

test('a body given with the request (explain, replay) is used as is', () => {
  const { layer, ctx } = setup(true);
  const c = ctx('big', { 'content-type': 'application/x-www-form-urlencoded' });
  c.req.rawBody = Buffer.from('a=1&b=x%20y&a=2');
  assert.equal(layer.evaluate(c), undefined);
  assert.deepEqual(c.body?.fields, [['a', '1'], ['b', 'x y'], ['a', '2']]);
  c.req.rawBody = Buffer.alloc(65);
  assert.equal((layer.evaluate(c) as { code: string }).code, 'body.too_large');
});

test('parseBody leaves malformed JSON unparsed and knows +json types', () => {
  assert.equal(parseBody(Buffer.from('{"a":'), 'application/json').json, undefined);
  assert.deepEqual(parseBody(Buffer.from('[1]'), 'application/problem+json').json, [1]);
  assert.equal(parseBody(Buffer.from('[1]'), 'text/plain').json, undefined);
});

/** readRequestBody against a real HTTP server and client on loopback. */
async function serveRead(limit: number, send: (port: number) => Promise<void>): Promise<BodyRead> {
  let result!: Promise<BodyRead>;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    result = readRequestBody(req, res, limit, false);
    result.then(() => res.end('ok'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    await send((server.address() as AddressInfo).port);
    return await result;
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

function post(port: number, chunks: string[], opts: { abortAfter?: number } = {}): Promise<void> {
  return new Promise((resolve) => {
    const req = request({ port, host: '127.0.0.1', method: 'POST', path: '/' }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', () => resolve());
    chunks.forEach((c) => req.write(c));
    if (opts.abortAfter !== undefined) setTimeout(() => (req.destroy(), setTimeout(resolve, 50)), opts.abortAfter);
    else req.end();
  });
}

test('readRequestBody reads a chunked body whole, stops past the limit, and notices a client that left', async () => {
  const whole = await serveRead(100, (port) => post(port, ['abc', 'def']));
  assert.deepEqual(whole.ok && whole.bytes.toString(), 'abcdef');
  const over = await serveRead(4, (port) => post(port, ['abc', 'def']));
  assert.deepEqual(over, { ok: false, reason: 'too_large', received: 6 });
  const gone = await serveRead(100, (port) => post(port, ['abc'], { abortAfter: 50 }));
  assert.equal(gone.ok, false);
  assert.equal(!gone.ok && gone.reason, 'aborted');
});
