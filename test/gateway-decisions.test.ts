import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startGateway, startUpstream, type TestGateway, type Upstream } from './helpers/servers.ts';

let upstream: Upstream;
let gw: TestGateway;

before(async () => {
  upstream = await startUpstream();
  gw = await startGateway(`
gateway: { errorTypeBase: "https://docs.example.com/errors/" }
services:
  orders: { upstreams: [{ url: "${upstream.url}" }] }
routes:
  - { id: orders-collection, service: orders, paths: [/orders], methods: [GET, POST] }
  - { id: orders-item, service: orders, paths: [/orders/:id], methods: [GET] }
`);
});
after(async () => {
  await gw.close();
  await upstream.close();
});

test('an allowed POST reaches the upstream once and carries our request id', async () => {
  const before = upstream.seen.length;
  const res = await fetch(`${gw.url}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"item":"book"}' });
  assert.equal(res.status, 200);
  const echoed = await res.json();
  assert.equal(echoed.body, '{"item":"book"}');
  assert.equal(upstream.seen.length, before + 1);
  const id = res.headers.get('x-request-id');
  assert.match(id!, /^req_[0-9a-f]{32}$/);
  assert.equal(echoed.headers['x-request-id'], id);
});

test('405 is a problem response with Allow, and the upstream never sees it', async () => {
  const before = upstream.seen.length;
  const res = await fetch(`${gw.url}/orders/7`, { method: 'DELETE' });
  assert.equal(res.status, 405);
  assert.equal(res.headers.get('allow'), 'GET, HEAD');
  assert.equal(res.headers.get('content-type'), 'application/problem+json');
  const body = await res.json();
  assert.equal(body.type, 'https://docs.example.com/errors/method.not_allowed');
  assert.equal(body.code, 'method.not_allowed');
  assert.equal(body.request_id, res.headers.get('x-request-id'));
  assert.equal(body.retryable, false);
  assert.equal(upstream.seen.length, before);
});

test('404 for an unknown path; an incoming X-Request-Id is kept only as correlation id', async () => {
  const res = await fetch(`${gw.url}/invoices?x=1`, { headers: { 'x-request-id': 'client-chosen-123' } });
  assert.equal(res.status, 404);
  const id = res.headers.get('x-request-id')!;
  assert.notEqual(id, 'client-chosen-123');
  const body = await res.json();
  assert.equal(body.code, 'route.not_found');
  for (const k of ['rule', 'evidence', 'trace', 'fixes']) assert.equal(k in body, false);

  const reader = await gw.reader();
  const stored = reader.get(id)!;
  assert.equal(stored.status, 404);
  assert.equal(stored.correlationId, 'client-chosen-123');
  assert.equal(stored.decision.code, 'route.not_found');
  assert.equal(stored.decision.configRevision, gw.gateway.loaded.revision);
  assert.deepEqual(
    stored.decision.trace.map((t) => t.verdict),
    stored.decision.trace.map((t) => (t.layer === 'route' ? 'deny' : t.layer === 'protocol' ? 'pass' : 'skipped')),
  );
});

test('the call log records allowed requests with the upstream status and latency', async () => {
  const res = await fetch(`${gw.url}/orders`);
  const id = res.headers.get('x-request-id')!;
  await res.arrayBuffer();
  const stored = (await gw.reader()).get(id)!;
  assert.equal(stored.outcome, 'allow');
  assert.equal(stored.route, 'orders-collection');
  assert.equal(stored.upstreamStatus, 200);
  assert.ok(typeof stored.upstreamMs === 'number' && stored.upstreamMs >= 0);
});

test('an invalid JSON body is not the gateway\'s business: it is relayed untouched', async () => {
  const res = await fetch(`${gw.url}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"item":' });
  assert.equal(res.status, 200);
  assert.equal((await res.json()).body, '{"item":');
});
