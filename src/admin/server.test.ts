import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { CallRecord } from '../calllog/types.ts';
import { loadConfigText } from '../config/load.ts';
import { get, startHarness, TOKEN, UPSTREAM_PASSWORD, write, YAML, type Harness } from './admin-harness.ts';
import { createMetrics } from './metrics.ts';
import { callRecord, denialRecord } from './record-fixture.ts';
import { startAdmin } from './server.ts';

describe('admin API', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness(TOKEN);
  });
  after(() => h.close());

  test('every answer has a fresh request id', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const res = await get(h, '/health');
      await res.arrayBuffer();
      ids.add(res.headers.get('x-request-id')!);
    }
    assert.equal(ids.size, 5);
  });

  test('/why returns the record written through the call log', async () => {
    const denied = denialRecord('method.not_allowed', {
      method: 'DELETE',
      path: '/orders/7',
      requestHeaders: { host: 'api.test', authorization: 'Bearer caller-secret-token' },
    });
    await write(h, [denied]);
    const res = await get(h, `/why/${denied.requestId}`);
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.requestId, denied.requestId);
    assert.equal(body.code, 'method.not_allowed');
    assert.equal(body.layer, 'method');
    assert.equal(body.decision.rule.id, 'orders');
    assert.deepEqual(body.decision.trace, denied.decision.trace);
    assert.equal(typeof body.rowId, 'number');
    // The call log redacted the caller's secret before storing it.
    assert.doesNotMatch(JSON.stringify(body), /caller-secret-token/);
  });

  test('/why of an unknown id is a 404 problem; a malformed id is a 400', async () => {
    let res = await get(h, '/why/req_doesnotexist');
    assert.equal(res.status, 404);
    assert.equal(res.headers.get('content-type'), 'application/problem+json');
    assert.equal((await res.json()).code, 'admin.not_found');
    res = await get(h, '/why/' + 'a'.repeat(200));
    assert.equal(res.status, 400);
    assert.equal((await res.json()).code, 'admin.bad_query');
    res = await get(h, '/why/a/b');
    assert.equal(res.status, 404);
    assert.equal((await res.json()).code, 'admin.no_such_endpoint');
  });

  test('/logs filters by status, code, layer, route, consumer, outcome, since and limit', async () => {
    const old = Date.now() - 3 * 3_600_000;
    const batch = [
      callRecord({ route: 'logs-a', consumer: 'acme' }),
      callRecord({ route: 'logs-a', consumer: 'globex', status: 201 }),
      denialRecord('route.not_found', { path: '/logs-nowhere', at: old }),
      denialRecord('method.not_allowed', { route: 'logs-a', consumer: 'acme' }),
      callRecord({ route: 'logs-a', status: 504, outcome: 'error', code: 'upstream.headers_timeout' }),
    ];
    await write(h, batch);
    const list = async (q: string) => {
      const res = await get(h, '/logs?' + q);
      assert.equal(res.status, 200, q);
      const body = await res.json();
      assert.equal(body.count, body.entries.length);
      return body.entries as Array<{ requestId: string }>;
    };
    const ids = (rs: CallRecord[]) => rs.map((r) => r.requestId).sort();
    const got = (es: Array<{ requestId: string }>) => es.map((e) => e.requestId).sort();

    assert.deepEqual(got(await list('route=logs-a')), ids([batch[0]!, batch[1]!, batch[3]!, batch[4]!]));
    assert.deepEqual(got(await list('route=logs-a&status=201')), ids([batch[1]!]));
    assert.deepEqual(got(await list('route=logs-a&consumer=acme')), ids([batch[0]!, batch[3]!]));
    assert.deepEqual(got(await list('route=logs-a&outcome=deny')), ids([batch[3]!]));
    assert.deepEqual(got(await list('route=logs-a&code=upstream.headers_timeout')), ids([batch[4]!]));
    assert.ok(got(await list('layer=route')).includes(batch[2]!.requestId));
    // since: relative, epoch ms and ISO all leave out the entry from three hours ago.
    for (const since of ['2h', String(Date.now() - 7_200_000), new Date(Date.now() - 7_200_000).toISOString()]) {
      const ids = got(await list(`layer=route&since=${encodeURIComponent(since)}`));
      assert.ok(!ids.includes(batch[2]!.requestId), `since=${since}`);
    }
    assert.ok(got(await list('layer=route&since=1d')).includes(batch[2]!.requestId));
    assert.equal((await list('route=logs-a&limit=2')).length, 2);
  });

  test('/logs refuses malformed, unknown, repeated and oversized parameters', async () => {
    for (const q of ['limit=5000', 'limit=0', 'limit=abc', 'status=abc', 'status=700', 'outcome=maybe', 'since=yesterday', 'bogus=1', 'route=a&route=b', 'route=' + 'x'.repeat(300), 'code=']) {
      const res = await get(h, '/logs?' + q);
      assert.equal(res.status, 400, q);
      const body = await res.json();
      assert.equal(body.code, 'admin.bad_query');
      assert.equal(typeof body.detail, 'string');
    }
  });

  test('/config shows the config in force with secrets redacted', async () => {
    const res = await get(h, '/config');
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.doesNotMatch(text, new RegExp(UPSTREAM_PASSWORD));
    const body = JSON.parse(text);
    assert.equal(body.revision, h.loaded.revision);
    assert.equal(body.source, 'test.yaml');
    assert.equal(body.config.services.orders.upstreams[0].url, 'http://svc:[redacted]@127.0.0.1:9');
    // The name of the variable that holds the token is not a secret; operators need it.
    assert.equal(body.config.admin.tokenEnv, 'PINPOINT_ADMIN_TOKEN');
    assert.deepEqual(body.config.routes[0].paths, ['/orders', '/orders/:id']);
  });

  test('/config and the revision metric follow a reload', async () => {
    const before = h.loaded;
    h.loaded = loadConfigText(YAML.replace('paths: [/orders, /orders/:id]', 'paths: [/orders, /orders/:id, /v2/orders]'), 'next.yaml');
    try {
      assert.notEqual(h.loaded.revision, before.revision);
      const body = await (await get(h, '/config')).json();
      assert.equal(body.revision, h.loaded.revision);
      assert.equal(body.source, 'next.yaml');
      const text = await (await get(h, '/metrics')).text();
      assert.match(text, new RegExp(`^pinpoint_config_revision_info\\{revision="${h.loaded.revision}"\\} 1$`, 'm'));
      assert.doesNotMatch(text, new RegExp(before.revision));
    } finally {
      h.loaded = before;
    }
  });

  test('/metrics serves the Prometheus text format with denials by layer and code', async () => {
    h.metrics.observe(denialRecord('route.not_found'));
    h.metrics.observe(denialRecord('method.not_allowed'));
    h.metrics.observe(denialRecord('method.not_allowed'));
    h.metrics.observe(callRecord());
    const res = await get(h, '/metrics');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), h.metrics.registry.contentType);
    const text = await res.text();
    assert.match(text, /^pinpoint_denials_total\{layer="route",code="route.not_found"\} 1$/m);
    assert.match(text, /^pinpoint_denials_total\{layer="method",code="method.not_allowed"\} 2$/m);
    assert.match(text, /^pinpoint_requests_total\{route="orders",method="GET",status_class="2xx",outcome="allow"\} 1$/m);
    // Scrape-time values wired by the admin listener: the real call log, the revision, upstream health.
    const written = h.callLog.stats().written;
    assert.ok(written > 0);
    assert.match(text, new RegExp(`^pinpoint_calllog_written_total ${written}$`, 'm'));
    assert.match(text, /^pinpoint_calllog_dropped_total 0$/m);
    assert.match(text, new RegExp(`^pinpoint_config_revision_info\\{revision="${h.loaded.revision}"\\} 1$`, 'm'));
    assert.match(text, /^pinpoint_upstream_healthy\{service="orders",url="http:\/\/svc:\[redacted\]@127.0.0.1:9"\} 1$/m);
    assert.doesNotMatch(text, new RegExp(UPSTREAM_PASSWORD));
  });

  test('/upstreams reports upstream health without URL passwords', async () => {
    const res = await get(h, '/upstreams');
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.doesNotMatch(text, new RegExp(UPSTREAM_PASSWORD));
    const body = JSON.parse(text);
    assert.deepEqual(body.upstreams, [{ service: 'orders', url: 'http://svc:[redacted]@127.0.0.1:9', healthy: true, consecutiveFailures: 0 }]);
  });

  test('/ready is 503 while the gateway is not listening', async () => {
    h.gatewayReady.value = false;
    try {
      const res = await get(h, '/ready');
      assert.equal(res.status, 503);
      const body = await res.json();
      assert.equal(body.code, 'admin.not_ready');
      assert.equal(body.retryable, true);
      assert.equal(body.checks.gateway, false);
      assert.equal(body.checks.callLogReadable, true);
    } finally {
      h.gatewayReady.value = true;
    }
    const res = await get(h, '/ready');
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.ready, true);
    assert.equal(typeof body.callLog.written, 'number');
  });

  test('an unknown path is a 404 problem and a wrong method a 405 with Allow', async () => {
    let res = await get(h, '/admin/secrets');
    assert.equal(res.status, 404);
    assert.equal(res.headers.get('content-type'), 'application/problem+json');
    assert.equal((await res.json()).code, 'admin.no_such_endpoint');
    for (const method of ['POST', 'PUT', 'DELETE']) {
      res = await get(h, '/config', { method, body: method === 'DELETE' ? undefined : '{}' });
      assert.equal(res.status, 405, method);
      assert.equal(res.headers.get('allow'), 'GET, HEAD');
      assert.equal((await res.json()).code, 'admin.method_not_allowed');
    }
    res = await get(h, '/health', { method: 'HEAD' });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), '');
  });
});

test('startAdmin fails when its port is taken', async () => {
  const h = await startHarness(TOKEN);
  try {
    await assert.rejects(
      startAdmin({
        host: '127.0.0.1',
        port: h.admin.address.port,
        token: TOKEN,
        loaded: () => h.loaded,
        reader: h.reader,
        callLogStats: () => h.callLog.stats(),
        upstreamHealth: () => [],
        metrics: createMetrics(),
        ready: () => true,
      }),
      /EADDRINUSE/,
    );
  } finally {
    await h.close();
  }
});
