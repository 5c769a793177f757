import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startGateway, startUpstream, type TestGateway, type Upstream } from './helpers/servers.ts';

// Snapshots of what an unauthenticated caller receives for each denial the spine can produce.
// A change that adds a member to these bodies must change the snapshot, on purpose.
let upstream: Upstream;
let gw: TestGateway;

before(async () => {
  upstream = await startUpstream();
  gw = await startGateway(`
services:
  orders: { upstreams: [{ url: "${upstream.url}" }] }
  gone: { upstreams: [{ url: "http://127.0.0.1:1" }], idempotentRetries: 0 }
routes:
  - { id: internal-orders-route-7, service: orders, paths: [/orders/:id], methods: [GET] }
  - { id: gone-route, service: gone, paths: [/gone], methods: [POST] }
`);
});
after(async () => {
  await gw.close();
  await upstream.close();
});

const ID = '<request-id>';

async function snapshot(path: string, init?: RequestInit): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(gw.url + path, init);
  const id = res.headers.get('x-request-id')!;
  const text = (await res.text()).replaceAll(id, ID);
  return { status: res.status, body: JSON.parse(text) };
}

test('404 to anyone: code, title, hint, nothing about the config', async () => {
  assert.deepEqual(await snapshot('/internal'), {
    status: 404,
    body: {
      type: 'https://pinpoint.dev/errors/route.not_found',
      title: 'No route matches this request',
      status: 404,
      detail: 'Check the method, path and host of the request against the API documentation.',
      instance: `urn:pinpoint:request:${ID}`,
      request_id: ID,
      code: 'route.not_found',
      retryable: false,
      layer: 'route',
      hint: 'Check the method, path and host of the request against the API documentation.',
    },
  });
});

test('405 to anyone: the allowed methods (as Allow says), never the route id', async () => {
  const snap = await snapshot('/orders/1', { method: 'PUT' });
  assert.deepEqual(snap, {
    status: 405,
    body: {
      type: 'https://pinpoint.dev/errors/method.not_allowed',
      title: 'The route does not allow this method',
      status: 405,
      detail: 'This resource allows GET, HEAD.',
      instance: `urn:pinpoint:request:${ID}`,
      request_id: ID,
      code: 'method.not_allowed',
      retryable: false,
      layer: 'method',
      hint: 'This resource allows GET, HEAD.',
    },
  });
  assert.doesNotMatch(JSON.stringify(snap), /internal-orders-route-7/);
});

test('502 for a POST whose upstream is down: not retryable blindly is said plainly, upstream address never shown', async () => {
  const snap = await snapshot('/gone', { method: 'POST', body: '{}' });
  assert.equal(snap.status, 502);
  assert.equal(snap.body.code, 'upstream.connect_failed');
  assert.equal(snap.body.retryable, true, 'the request never reached the upstream: safe to send again');
  assert.doesNotMatch(JSON.stringify(snap), /127\.0\.0\.1:1\b|gone-route/);
  assert.deepEqual(Object.keys(snap.body).sort(), ['code', 'detail', 'instance', 'layer', 'request_id', 'retryable', 'status', 'title', 'type']);
});

test('the operator view of the same 405 has the rule, evidence, fixes and trace', async () => {
  const res = await fetch(gw.url + '/orders/1', { method: 'PUT' });
  const id = res.headers.get('x-request-id')!;
  await res.arrayBuffer();
  const stored = (await gw.reader()).get(id)!;
  assert.equal(stored.decision.rule?.id, 'route:internal-orders-route-7');
  assert.deepEqual(stored.decision.evidence, [{ where: 'method', expected: 'GET, HEAD', observed: 'PUT' }]);
  assert.ok(stored.decision.fixes.length > 0);
  assert.deepEqual(
    stored.decision.trace.map((t) => t.layer),
    ['protocol', 'route', 'method', 'body', 'authn'],
  );
});
