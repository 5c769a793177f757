// Authorization of token callers: scopes from the token's claims, roles from the issuer's roles
// claim (for undeclared subjects) or the config, the RFC 6750 insufficient_scope challenge; and a
// password (HTTP Basic) limited by its roles only. Real gateway, real JWKS server, real store.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { RESOURCE, startKeyServer, type KeyServer } from './helpers/oidc.ts';
import { problemOf, startAuthzWorld, type AuthzWorld } from './helpers/authz-gateway.ts';

let idp: KeyServer;
let w: AuthzWorld;

const YAML = (upstream: string) => `
tenants:
  acme: {}
roles:
  viewer: { permissions: [orders:read] }
  writer: { permissions: ["orders:*"] }
consumers:
  orders-app: { tenant: acme, roles: [writer], subjects: [{ issuer: main, subject: orders-app }] }
  web-viewer: { tenant: acme, roles: [viewer] }
authn:
  jwt:
    main:
      issuer: "${idp.issuer}"
      jwksUri: "${idp.jwksUri}"
      audiences: ["${RESOURCE}"]
      tenantClaim: tenant
      rolesClaim: roles
services:
  api: { upstreams: [{ url: "${upstream}" }] }
routes:
  - id: orders
    service: api
    paths: [/orders]
    methods: [GET, POST]
    authn: [jwt:main, basic]
    authz: { require: { GET: [orders:read], POST: [orders:write] } }
`;

before(async () => {
  idp = await startKeyServer();
  w = await startAuthzWorld(YAML);
  await w.store.setPassword('web-viewer', 'correct horse battery', 'test');
});
after(async () => {
  await w.close();
  await idp.close();
});

const post = (token: string) => fetch(w.url + '/orders', { method: 'POST', headers: { authorization: `Bearer ${token}` } });

test('a token whose scopes and roles allow it passes', async () => {
  const token = await idp.sign({ sub: 'orders-app', scope: 'orders:read orders:write' });
  assert.equal((await post(token)).status, 200);
});

test('a read-only token of a writer: 403 authz.scope_missing with the RFC 6750 challenge', async () => {
  const token = await idp.sign({ sub: 'orders-app', scope: 'orders:read', jti: 'tok-1' });
  const res = await post(token);
  assert.equal(res.status, 403);
  assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="pinpoint", error="insufficient_scope", scope="orders:write"');
  const body = await problemOf(res);
  assert.equal(body.code, 'authz.scope_missing');
  assert.deepEqual(body.granted, ['orders:read']);
  assert.match(String(body.hint), /your token has orders:read/);
  const d = (await w.logged(res)).decision;
  assert.match(d.detail!, /^token jti:tok-1 \(jwt:main\) has scopes \[orders:read\]; route orders \(POST \/orders\) requires orders:write: the token must carry scope orders:write/);
  assert.ok(d.fixes.some((f) => f.who === 'client' && /Request a token with the scope orders:write/.test(f.action)));
  assert.ok(!JSON.stringify(d).includes(token));
});

test('roles from the token\'s roles claim count for an undeclared subject', async () => {
  const writer = await idp.sign({ sub: 'partner-7', tenant: 'acme', roles: ['writer'], scope: 'orders:write' });
  assert.equal((await post(writer)).status, 200);
  const viewer = await idp.sign({ sub: 'partner-8', tenant: 'acme', roles: ['viewer'], scope: 'orders:write' });
  const res = await post(viewer);
  const body = await problemOf(res);
  assert.equal(body.code, 'authz.permission_missing');
  const d = (await w.logged(res)).decision;
  assert.match(d.detail!, /consumer jwt:main:partner-8 \(roles viewer\) lacks orders:write/);
  const unknownRole = await idp.sign({ sub: 'partner-9', tenant: 'acme', roles: ['superuser'], scope: 'orders:write' });
  assert.equal((await problemOf(await post(unknownRole))).code, 'authz.permission_missing', 'a role the config does not define grants nothing');
});

test('a password carries no scopes: it is limited by the consumer\'s roles only', async () => {
  const basic = 'Basic ' + Buffer.from('web-viewer:correct horse battery').toString('base64');
  assert.equal((await fetch(w.url + '/orders', { headers: { authorization: basic } })).status, 200);
  const res = await fetch(w.url + '/orders', { method: 'POST', headers: { authorization: basic } });
  assert.equal(res.status, 403);
  assert.equal((await problemOf(res)).code, 'authz.permission_missing');
  assert.equal(res.headers.get('www-authenticate'), null);
});
