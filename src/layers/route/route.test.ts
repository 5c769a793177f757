import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfigText } from '../../config/load.ts';
import type { Decision } from '../../decision/types.ts';
import type { RequestDescription } from '../../pipeline/types.ts';

const yaml = `
services:
  orders: { upstreams: [{ url: "http://127.0.0.1:1" }] }
  admin: { upstreams: [{ url: "http://127.0.0.1:2" }] }
routes:
  - { id: orders-collection, service: orders, paths: [/orders], methods: [GET, POST] }
  - { id: orders-item, service: orders, paths: [/orders/:id], methods: [GET, DELETE] }
  - { id: orders-item-v2, service: orders, paths: [/orders/:id], methods: [GET], version: "2" }
  - { id: admin-host, service: admin, paths: [/orders], methods: [PUT], hosts: [admin.example.com] }
  - { id: static, service: orders, paths: ["/static/*"] }
`;
const loaded = loadConfigText(yaml, 'route.test.yaml');

function decide(method: string, path: string, headers: Record<string, string> = {}, host = 'api.example.com'): Decision {
  const req: RequestDescription = { method, httpVersion: '1.1', path, query: '', host, headers: { host, ...headers }, clientIp: '127.0.0.1' };
  const d = loaded.pipeline.run(req, { requestId: 'req_test', disposition: 'explain', configRevision: loaded.revision });
  assert.ok(!(d instanceof Promise));
  return d;
}

const cases: Array<{ name: string; method: string; path: string; headers?: Record<string, string>; host?: string; outcome: 'allow' | 'deny'; code?: string; route?: string }> = [
  { name: 'collection POST', method: 'POST', path: '/orders', outcome: 'allow', route: 'orders-collection' },
  { name: 'collection GET with trailing slash', method: 'GET', path: '/orders/', outcome: 'allow', route: 'orders-collection' },
  { name: 'HEAD implied by GET', method: 'HEAD', path: '/orders', outcome: 'allow', route: 'orders-collection' },
  { name: 'item DELETE', method: 'DELETE', path: '/orders/42', outcome: 'allow', route: 'orders-item' },
  { name: 'item PATCH is 405', method: 'PATCH', path: '/orders/42', outcome: 'deny', code: 'method.not_allowed' },
  { name: 'collection DELETE is 405', method: 'DELETE', path: '/orders', outcome: 'deny', code: 'method.not_allowed' },
  { name: 'unknown path is 404', method: 'GET', path: '/invoices', outcome: 'deny', code: 'route.not_found' },
  { name: 'case matters', method: 'GET', path: '/Orders', outcome: 'deny', code: 'route.not_found' },
  { name: 'version header selects v2', method: 'GET', path: '/orders/1', headers: { 'x-api-version': '2' }, outcome: 'allow', route: 'orders-item-v2' },
  { name: 'unknown version falls back to unversioned', method: 'GET', path: '/orders/1', headers: { 'x-api-version': '9' }, outcome: 'allow', route: 'orders-item' },
  { name: 'host route answers PUT on its host', method: 'PUT', path: '/orders', host: 'admin.example.com', outcome: 'allow', route: 'admin-host' },
  { name: 'host route is not on other hosts', method: 'PUT', path: '/orders', outcome: 'deny', code: 'method.not_allowed' },
  { name: 'wildcard with any method', method: 'PATCH', path: '/static/css/site.css', outcome: 'allow', route: 'static' },
  { name: 'malformed percent-encoding does not match', method: 'GET', path: '/orders/%zz', outcome: 'deny' },
];

for (const c of cases) {
  test(`route table: ${c.name}`, () => {
    const d = decide(c.method, c.path, c.headers, c.host);
    assert.equal(d.outcome, c.outcome, JSON.stringify(d));
    if (c.code) assert.equal(d.code, c.code);
    if (c.route) assert.equal(d.route, c.route);
  });
}

test('405 names the allowed methods in Allow and evidence; trace shows both layers', () => {
  const d = decide('PATCH', '/orders/42');
  assert.equal(d.status, 405);
  assert.equal(d.headers?.allow, 'DELETE, GET, HEAD');
  assert.deepEqual(d.evidence, [{ where: 'method', expected: 'DELETE, GET, HEAD', observed: 'PATCH' }]);
  assert.deepEqual(
    d.trace.map((t) => [t.layer, t.verdict]),
    [['protocol', 'pass'], ['route', 'pass'], ['method', 'deny'], ['body', 'skipped'], ['authn', 'skipped']],
  );
  assert.equal(d.layer, 'method');
  assert.equal(d.denyKind, 'no_allow');
  assert.ok(d.fixes.some((f) => f.who === 'operator'));
});

test('404 skips the method layer for lack of context and records the revision', () => {
  const d = decide('GET', '/nope');
  assert.deepEqual(
    d.trace.map((t) => [t.layer, t.verdict]),
    [['protocol', 'pass'], ['route', 'deny'], ['method', 'skipped'], ['body', 'skipped'], ['authn', 'skipped']],
  );
  assert.equal(d.configRevision, loaded.revision);
  assert.match(d.detail!, /no route matches \/nope/);
});

test('404 with an unserved version says which versions exist', () => {
  const d = decide('GET', '/invoices', { 'x-api-version': '7' });
  assert.match(d.detail!, /version 7 is not served \(versions: 2\)/);
});

test('a duplicate route fails the config load', () => {
  assert.throws(
    () => loadConfigText(yaml + '  - { id: clash, service: orders, paths: [/orders/:orderId], methods: [GET] }\n', 'dup.yaml'),
    /duplicate route|conflicts/,
  );
});
