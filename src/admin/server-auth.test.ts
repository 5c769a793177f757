import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadConfigText } from '../config/load.ts';
import { ALL_PATHS, get, startHarness, TOKEN, YAML, type Harness } from './admin-harness.ts';

describe('admin API with a token', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness(TOKEN);
  });
  after(() => h.close());

  test('every path refuses a request without a token with the same 401', async () => {
    const bodies = new Set<string>();
    for (const path of ALL_PATHS) {
      for (const method of ['GET', 'POST']) {
        const res = await get(h, path, { method, token: null });
        assert.equal(res.status, 401, `${method} ${path}`);
        assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="pinpoint-admin"');
        assert.equal(res.headers.get('content-type'), 'application/problem+json');
        const id = res.headers.get('x-request-id');
        assert.match(id ?? '', /^req_[0-9a-f]{32}$/);
        const body = await res.json();
        assert.equal(body.code, 'admin.unauthorized');
        assert.equal(body.request_id, id);
        // Nothing tells an unauthenticated caller which paths exist.
        bodies.add(JSON.stringify({ ...body, request_id: '', instance: '' }));
      }
    }
    assert.equal(bodies.size, 1);
  });

  test('a wrong token is refused, whatever its length or scheme', async () => {
    const sameLength = TOKEN.slice(0, -1) + (TOKEN.endsWith('a') ? 'b' : 'a');
    for (const authorization of [`Bearer ${sameLength}`, 'Bearer x', `Bearer ${TOKEN}x`, `Basic ${TOKEN}`, `Bearer  `, TOKEN, `Bearer ${TOKEN} extra`]) {
      for (const path of ['/health', '/metrics', '/why/req_x']) {
        const res = await fetch(h.url + path, { headers: { authorization } });
        assert.equal(res.status, 401, `${authorization} on ${path}`);
        assert.equal((await res.json()).code, 'admin.unauthorized');
      }
    }
    const res = await get(h, '/health', { token: sameLength });
    assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="pinpoint-admin", error="invalid_token"');
  });

  test('the right token opens every endpoint; the scheme is case-insensitive', async () => {
    for (const path of ['/health', '/ready', '/config', '/logs', '/metrics', '/upstreams']) {
      const res = await get(h, path);
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get('x-request-id') ?? '', /^req_/);
      await res.arrayBuffer();
    }
    const res = await fetch(h.url + '/health', { headers: { authorization: `bearer ${TOKEN}` } });
    assert.equal(res.status, 200);
    assert.equal((await res.json()).status, 'ok');
  });

});

describe('admin API without a configured token', () => {
  for (const token of [undefined, '']) {
    test(`refuses everything with 503 and names the variable to set (token ${JSON.stringify(token)})`, async () => {
      const h = await startHarness(token);
      try {
        for (const path of ALL_PATHS) {
          for (const presented of [null, TOKEN, '']) {
            const res = await get(h, path, { token: presented });
            assert.equal(res.status, 503, `${path} with ${presented}`);
            assert.match(res.headers.get('x-request-id') ?? '', /^req_/);
            const body = await res.json();
            assert.equal(body.code, 'admin.token_not_configured');
            assert.match(body.detail, /PINPOINT_ADMIN_TOKEN/);
          }
        }
      } finally {
        await h.close();
      }
    });
  }

  test('names the configured variable when admin.tokenEnv is changed', async () => {
    const h = await startHarness(undefined, loadConfigText(YAML + 'admin:\n  tokenEnv: MY_GATEWAY_ADMIN_TOKEN\n', 'test.yaml'));
    try {
      const body = await (await get(h, '/metrics')).json();
      assert.match(body.detail, /MY_GATEWAY_ADMIN_TOKEN/);
    } finally {
      await h.close();
    }
  });
});
