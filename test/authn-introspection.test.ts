import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { GATEWAY_CLIENT, startOidcProvider, type OidcServer } from './helpers/oidc.ts';
import { startGateway, startUpstream, type TestGateway, type Upstream } from './helpers/servers.ts';

// RFC 7662 against a real authorization server (oidc-provider): the gateway authenticates
// with client_secret_basic and asks whether opaque tokens are active.
let upstream: Upstream;
let idp: OidcServer;
let gw: TestGateway;
let silent: Server;
let closedPort: number;

before(async () => {
  process.env.PINPOINT_TEST_INTROSPECTION_SECRET = GATEWAY_CLIENT.secret;
  process.env.PINPOINT_TEST_WRONG_SECRET = 'not-the-secret';
  upstream = await startUpstream();
  idp = await startOidcProvider();
  // Accepts connections and never answers: the timeout case.
  silent = createServer(() => {});
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  closedPort = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const endpoint = (url: string, o = '') => `{ endpoint: "${url}", clientId: gateway, clientSecretEnv: PINPOINT_TEST_INTROSPECTION_SECRET, tenantClaim: tenant${o} }`;
  gw = await startGateway(`
services:
  api: { upstreams: [{ url: "${upstream.url}" }] }
tenants:
  acme: {}
  globex: { status: suspended, reason: unpaid invoices }
consumers:
  orders: { tenant: acme, subjects: [{ issuer: idp, subject: orders-app }] }
authn:
  introspection:
    idp: ${endpoint(idp.introspectionEndpoint, ', cacheTtlS: 30, negativeCacheTtlS: 1')}
    down: ${endpoint(`http://127.0.0.1:${closedPort}/introspect`)}
    silent: ${endpoint(`http://127.0.0.1:${(silent.address() as AddressInfo).port}/introspect`, ', timeoutMs: 200')}
    wrong: { endpoint: "${idp.introspectionEndpoint}", clientId: gateway, clientSecretEnv: PINPOINT_TEST_WRONG_SECRET }
routes:
  - { id: opaque, service: api, paths: [/opaque], authn: [introspection:idp] }
  - { id: down, service: api, paths: [/down], authn: [introspection:down] }
  - { id: silent, service: api, paths: [/silent], authn: [introspection:silent] }
  - { id: wrong, service: api, paths: [/wrong], authn: [introspection:wrong] }
`);
});
after(async () => {
  await gw.close();
  await upstream.close();
  await idp.close();
  silent.closeAllConnections();
  await new Promise<void>((r) => silent.close(() => r()));
});

async function call(token: string, path = '/opaque') {
  const seen = upstream.seen.length;
  const res = await fetch(gw.url + path, { headers: { authorization: `Bearer ${token}` } });
  const body = (await res.json()) as Record<string, unknown>;
  const stored = (await gw.reader()).get(res.headers.get('x-request-id')!)!;
  return { res, body, reached: upstream.seen.length > seen, stored };
}

test('an active opaque token passes; the answer is cached, so a repeat costs no call', async () => {
  const token = await idp.token({ opaque: true });
  assert.equal(token.includes('.'), false, 'an opaque token');
  const before = idp.counts.introspection;
  const first = await call(token);
  assert.equal(first.res.status, 200);
  assert.equal(first.reached, true);
  assert.equal(first.stored.consumer, 'orders', 'client_id orders-app is the declared consumer orders');
  assert.equal(first.stored.tenant, 'acme');
  assert.match(first.stored.decision.credential!, /^sha256:/, 'an opaque token without jti is named by a fingerprint');
  assert.equal(idp.counts.introspection, before + 1);
  for (let i = 0; i < 3; i++) assert.equal((await call(token)).res.status, 200);
  assert.equal(idp.counts.introspection, before + 1, 'answered from the positive cache');
});

test('concurrent requests with one new token make one introspection call', async () => {
  const token = await idp.token({ opaque: true });
  const before = idp.counts.introspection;
  const statuses = await Promise.all(Array.from({ length: 5 }, () => fetch(`${gw.url}/opaque`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status)));
  assert.deepEqual(statuses, [200, 200, 200, 200, 200]);
  assert.equal(idp.counts.introspection, before + 1);
});

test('an inactive token (revoked at the server): 401 token_inactive with an invalid_token challenge; negative answers are cached briefly', async () => {
  const token = await idp.token({ opaque: true });
  await idp.revoke(token);
  const before = idp.counts.introspection;
  const { res, body, reached, stored } = await call(token);
  assert.equal(res.status, 401);
  assert.equal(body.code, 'authn.token_inactive');
  assert.equal(reached, false);
  assert.match(res.headers.get('www-authenticate')!, /^Bearer realm="pinpoint", error="invalid_token", error_description="The token is not active/);
  assert.deepEqual(stored.decision.evidence[0], { where: 'introspection:idp', expected: 'active: true', observed: 'active: false' });
  assert.equal(JSON.stringify(stored.decision).includes(token), false);
  assert.equal((await call(token)).body.code, 'authn.token_inactive');
  assert.equal(idp.counts.introspection, before + 1, 'the second refusal came from the negative cache');
  await new Promise((r) => setTimeout(r, 1100));
  assert.equal((await call(token)).body.code, 'authn.token_inactive');
  assert.equal(idp.counts.introspection, before + 2, 'asked again once negativeCacheTtlS passed');
});

test('a token the server never issued is inactive', async () => {
  const { res, body } = await call('never-issued-token-0123456789');
  assert.equal(res.status, 401);
  assert.equal(body.code, 'authn.token_inactive');
});

test('a token of a suspended tenant (tenant member of the answer): 403 tenant_suspended', async () => {
  const { res, body, stored } = await call(await idp.token({ client: 'globex-app', opaque: true }));
  assert.equal(res.status, 403);
  assert.equal(body.code, 'authn.tenant_suspended');
  assert.equal(stored.decision.consumer, 'introspection:idp:globex-app');
});

test('an endpoint that refuses connections fails closed: 503 issuer_unavailable, no challenge', async () => {
  const { res, body, reached, stored } = await call('some-opaque-token', '/down');
  assert.equal(res.status, 503);
  assert.equal(body.code, 'authn.issuer_unavailable');
  assert.equal(body.retryable, true);
  assert.equal(reached, false);
  assert.equal(res.headers.get('www-authenticate'), null);
  assert.match(stored.decision.evidence[0].observed, /ECONNREFUSED/);
});

test('an endpoint that does not answer in timeoutMs fails closed', async () => {
  const t0 = Date.now();
  const { res, stored } = await call('some-opaque-token', '/silent');
  assert.equal(res.status, 503);
  assert.equal(stored.decision.evidence[0].observed, 'no answer within 200 ms');
  assert.ok(Date.now() - t0 < 2000);
});

test('wrong client credentials of the gateway: 503, and the operator is told why', async () => {
  const { res, stored } = await call(await idp.token({ opaque: true }), '/wrong');
  assert.equal(res.status, 503);
  assert.match(stored.decision.detail!, /answered 401 \(the gateway's client credentials were refused\)/);
  assert.equal(stored.decision.fixes.some((f) => f.who === 'operator' && f.action.includes('PINPOINT_TEST_WRONG_SECRET')), true);
});
