import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startGateway, startUpstream, type TestGateway, type Upstream } from './helpers/servers.ts';
import { closedPort, rawExchange, startRawUpstream } from './proxy-harness.ts';

// The proxy through the real gateway: pipeline, problem responses and the call log.

let upstream: Upstream;
let hanging: Awaited<ReturnType<typeof startRawUpstream>>;
let gw: TestGateway;

before(async () => {
  upstream = await startUpstream();
  hanging = await startRawUpstream(() => {});
  const refused = await closedPort();
  gw = await startGateway(`
services:
  orders: { upstreams: [{ url: "${upstream.url}" }] }
  down:
    upstreams: [{ url: "http://127.0.0.1:${refused}" }]
    health: { failures: 100 }
  slow:
    upstreams: [{ url: "${hanging.url}" }]
    timeouts: { headersMs: 200 }
routes:
  - { id: orders-v2, service: orders, paths: [/v2/orders, "/v2/orders/*"], stripPrefix: /v2 }
  - { id: down, service: down, paths: [/down] }
  - { id: slow, service: slow, paths: [/slow] }
`);
});
after(async () => {
  await gw.close();
  await upstream.close();
  await hanging.close();
});

test('an allowed request is proxied with its prefix stripped; the call log has the upstream status', async () => {
  const res = await fetch(`${gw.url}/v2/orders/42?expand=items`, { headers: { 'x-forwarded-for': '198.51.100.9' } });
  assert.equal(res.status, 200);
  const echoed = await res.json();
  assert.equal(echoed.url, '/orders/42?expand=items');
  assert.equal(echoed.headers['x-forwarded-for'], '198.51.100.9, 127.0.0.1');
  assert.match(echoed.headers.forwarded, /for=127\.0\.0\.1;host="127\.0\.0\.1:\d+";proto=http$/);
  const id = res.headers.get('x-request-id')!;
  assert.equal(echoed.headers['x-request-id'], id);
  const stored = (await gw.reader()).get(id)!;
  assert.equal(stored.upstreamStatus, 200);
  assert.equal(stored.upstream, upstream.url);
  assert.equal(stored.outcome, 'allow');
});

test('a refused connection is a 502 problem naming upstream.connect_failed, logged as an error', async () => {
  const res = await fetch(`${gw.url}/down`, { method: 'POST', body: '{}' });
  assert.equal(res.status, 502);
  assert.equal(res.headers.get('content-type'), 'application/problem+json');
  const body = await res.json();
  assert.equal(body.code, 'upstream.connect_failed');
  assert.equal(body.retryable, true, 'nothing reached the upstream: sending again is safe');
  const stored = (await gw.reader()).get(res.headers.get('x-request-id')!)!;
  assert.equal(stored.outcome, 'error');
  assert.equal(stored.code, 'upstream.connect_failed');
  assert.match(stored.error ?? '', /ECONNREFUSED/);
});

test('an upstream that never answers is a 504 upstream.headers_timeout; a POST is then not retryable', async () => {
  const answer = await rawExchange(gw.port, 'POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}');
  assert.match(answer, /^HTTP\/1\.1 504 /);
  const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
  assert.equal(body.code, 'upstream.headers_timeout');
  assert.equal(body.retryable, false);
  assert.equal(hanging.requests, 1);
});
