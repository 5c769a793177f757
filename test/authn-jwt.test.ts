import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { RESOURCE, startKeyServer, startOidcProvider, type KeyServer, type OidcServer } from './helpers/oidc.ts';
import { startGateway, startUpstream, type TestGateway, type Upstream } from './helpers/servers.ts';

// A real authorization server (oidc-provider) issues the tokens; the gateway checks them
// through the server's real JWKS endpoint, on loopback.
let upstream: Upstream;
let idp: OidcServer;
let own: KeyServer;
let gw: TestGateway;

before(async () => {
  upstream = await startUpstream();
  idp = await startOidcProvider();
  own = await startKeyServer();
  gw = await startGateway(`
services:
  api: { upstreams: [{ url: "${upstream.url}" }] }
tenants:
  acme: {}
  globex: { status: suspended, reason: unpaid invoices }
consumers:
  orders: { tenant: acme, roles: [reader], subjects: [{ issuer: idp, subject: orders-app }] }
authn:
  jwt:
    idp:
      issuer: "${idp.issuer}"
      jwksUri: "${idp.jwksUri}"
      audiences: ["${RESOURCE}"]
      tenantClaim: tenant
      rolesClaim: roles
      jwksRefreshMinMs: 0
    own: { issuer: "${own.issuer}", jwksUri: "${own.jwksUri}", audiences: ["${RESOURCE}"] }
routes:
  - { id: orders, service: api, paths: [/orders], authn: [jwt:idp] }
  - { id: any-issuer, service: api, paths: [/any], authn: [jwt] }
`);
});
after(async () => {
  await gw.close();
  await upstream.close();
  await idp.close();
  await own.close();
});

async function call(token: string, path = '/orders') {
  const seen = upstream.seen.length;
  const res = await fetch(gw.url + path, { headers: { authorization: `Bearer ${token}` } });
  const body = (await res.json()) as Record<string, unknown>;
  const stored = (await gw.reader()).get(res.headers.get('x-request-id')!)!;
  return { res, body, reached: upstream.seen.length > seen, stored };
}

test('a token from the authorization server passes; the consumer, tenant and token are named in the log', async () => {
  const token = await idp.token({ client: 'orders-app', scope: 'orders:read' });
  const { res, reached, stored } = await call(token);
  assert.equal(res.status, 200);
  assert.equal(reached, true);
  assert.equal(stored.decision.outcome, 'allow');
  assert.equal(stored.consumer, 'orders', 'subject orders-app is the declared consumer orders');
  assert.equal(stored.tenant, 'acme');
  assert.match(stored.decision.credential!, /^jti:[A-Za-z0-9_-]+$/);
  assert.equal(JSON.stringify(stored.decision).includes(token), false);
});

test('the JWKS is fetched once, not per request', async () => {
  const token = await idp.token({});
  const before = idp.counts.jwks;
  for (let i = 0; i < 5; i++) assert.equal((await call(token)).res.status, 200);
  assert.equal(idp.counts.jwks, before, 'no JWKS fetch for known keys');
});

test('key rotation at the issuer: a token under the new kid makes the gateway refetch the JWKS and accept it', async () => {
  assert.equal((await call(await idp.token({}))).res.status, 200, 'keys of the first key fetched');
  const fetched = idp.counts.jwks;
  const kid = await idp.rotateKey();
  const token = await idp.token({});
  assert.equal(JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()).kid, kid);
  const { res, reached } = await call(token);
  assert.equal(res.status, 200);
  assert.equal(reached, true);
  assert.equal(idp.counts.jwks, fetched + 1, 'exactly one refetch for the new kid');
  assert.equal((await call(await idp.token({}))).res.status, 200);
  assert.equal(idp.counts.jwks, fetched + 1, 'the new key is cached from then on');
});

test('a token of another tenant whose tenant is suspended: 403 tenant_suspended, no challenge', async () => {
  const { res, body, reached, stored } = await call(await idp.token({ client: 'globex-app' }));
  assert.equal(res.status, 403);
  assert.equal(body.code, 'authn.tenant_suspended');
  assert.equal(res.headers.get('www-authenticate'), null);
  assert.equal(reached, false);
  assert.equal(stored.decision.consumer, 'jwt:idp:globex-app', 'an undeclared subject is namespaced by its issuer');
  assert.equal(stored.decision.tenant, 'globex');
});

test('a token of the server for another resource is refused as meant for another API', async () => {
  const { res, body, stored } = await call(await idp.token({ resource: 'https://billing.example.test' }));
  assert.equal(res.status, 401);
  assert.equal(body.code, 'authn.token_audience_invalid');
  assert.match(stored.decision.credential!, /^jti:[A-Za-z0-9_-]+$/, 'the refused token is named by its label');
  assert.match(res.headers.get('www-authenticate')!, /error="invalid_token"/);
});

test('`jwt` accepts any configured issuer, chosen by iss; jwt:<name> only its own', async () => {
  assert.equal((await call(await idp.token({}), '/any')).res.status, 200);
  assert.equal((await call(await own.sign({}), '/any')).res.status, 200);
  const other = await call(await own.sign({}), '/orders');
  assert.equal(other.res.status, 401);
  assert.equal(other.body.code, 'authn.token_issuer_invalid');
  const unknown = await call(await own.sign({ iss: 'https://unknown.example.test' }), '/any');
  assert.equal(unknown.body.code, 'authn.token_issuer_invalid');
  assert.match(unknown.stored.decision.evidence[0].expected, new RegExp(`${idp.issuer} or ${own.issuer}`));
});

test('a token verified for one issuer is not taken from the cache for a route of another', async () => {
  const token = await own.sign({ jti: 'cross-1' });
  assert.equal((await call(token, '/any')).res.status, 200);
  const { res, body } = await call(token, '/orders');
  assert.equal(res.status, 401);
  assert.equal(body.code, 'authn.token_issuer_invalid');
});

test('no token: 401 credential_missing with a plain Bearer challenge (no error code, RFC 6750 §3.1)', async () => {
  const res = await fetch(`${gw.url}/orders`);
  assert.equal(res.status, 401);
  assert.equal((await res.json()).code, 'authn.credential_missing');
  assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="pinpoint"');
});

test('subjects are scoped by issuer: another issuer\'s token with the same sub is not that consumer', async () => {
  const theirs = await call(await own.sign({ sub: 'orders-app' }), '/any');
  assert.equal(theirs.res.status, 200);
  assert.equal(theirs.stored.consumer, 'jwt:own:orders-app', 'namespaced by its own issuer, not the declared consumer orders');
  const byName = await call(await own.sign({ sub: 'orders' }), '/any');
  assert.equal(byName.stored.consumer, 'jwt:own:orders', 'with several issuers a sub equal to a consumer name is not that consumer either');
});

test('with several token sources, an unscoped subject or an unknown source fails the load at the entry', async () => {
  const { loadConfigText, ConfigError } = await import('../src/config/load.ts');
  const yaml = (subjects: string) => `
tenants: { acme: {} }
consumers:
  orders: { tenant: acme, subjects: ${subjects} }
authn:
  jwt:
    a: { issuer: "https://a.test", jwksUri: "https://a.test/jwks", audiences: [x] }
    b: { issuer: "https://b.test", jwksUri: "https://b.test/jwks", audiences: [x] }
`;
  assert.throws(() => loadConfigText(yaml('[orders-app]'), 'c.yaml'), (e: unknown) => e instanceof ConfigError && /c\.yaml:4:\d+ {2}consumers\.orders\.subjects\[0\] {2}with several token sources \(a, b\)/.test(e.message));
  assert.throws(() => loadConfigText(yaml('[{ issuer: c, subject: x }]'), 'c.yaml'), (e: unknown) => e instanceof ConfigError && /subjects\[0\]\.issuer {2}no token source is named "c"/.test(e.message));
  assert.doesNotThrow(() => loadConfigText(yaml('[{ issuer: a, subject: orders-app }]'), 'c.yaml'));
});
