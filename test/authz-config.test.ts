// Authorization rules are checked when the config loads: each mistake is an error at its line.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfigText } from '../src/config/load.ts';

const HEAD = `
tenants:
  acme: {}
roles:
  viewer: { permissions: [orders:read] }
  writer: { permissions: [orders:read, orders:write] }
consumers:
  app: { tenant: acme, roles: [viewer] }
services:
  api: { upstreams: [{ url: "http://127.0.0.1:9" }] }
routes:
`;

/** The issues of a config that must not load. */
function issues(yaml: string): Array<{ path: string; message: string; line?: number }> {
  try {
    loadConfigText(yaml, 't.yaml');
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.issues.map((i) => ({ path: i.path.join('.'), message: i.message, line: i.line }));
  }
  assert.fail('the config loaded');
}

function only(yaml: string, path: string, message: RegExp, line: number): void {
  const found = issues(yaml);
  assert.equal(found.length, 1, JSON.stringify(found));
  assert.equal(found[0].path, path);
  assert.match(found[0].message, message);
  assert.equal(found[0].line, line, `line of ${path}`);
}

test('a valid authz config loads', () => {
  const loaded = loadConfigText(HEAD + `  - { id: r, service: api, paths: [/orders], methods: [GET], authn: [apiKey], authz: { require: [orders:read] } }\n`);
  assert.ok(loaded.pipeline.layers.some((l) => l.name === 'authz'));
});

test('a config without authz has no authz layer (zero cost)', () => {
  const loaded = loadConfigText(HEAD + `  - { id: r, service: api, paths: [/orders], methods: [GET], authn: [apiKey] }\n`);
  assert.ok(!loaded.pipeline.layers.some((l) => l.name === 'authz'));
});

test('authz without authn on the route is an error at the authz line', () => {
  only(HEAD + `  - id: r\n    service: api\n    paths: [/orders]\n    authz: { require: [orders:read] }\n`, 'routes.0.authz', /authz but no authn/, 15);
});

test('a required permission no role grants, with the line of the entry', () => {
  only(HEAD + `  - id: r\n    service: api\n    paths: [/orders]\n    authn: [apiKey]\n    authz:\n      require: [orders:read, orders:wrte]\n`, 'routes.0.authz.require.1', /no role grants orders:wrte/, 17);
});

test('a wildcard in a requirement, a bad grant, two operators in a condition are schema errors', () => {
  const a = issues(HEAD + `  - { id: r, service: api, paths: [/o], authn: [apiKey], authz: { require: ["orders:*"] } }\n`);
  assert.ok(a.some((i) => i.path.startsWith('routes.0.authz.require')), JSON.stringify(a));
  const b = issues(HEAD.replace('[orders:read]', '["*:read"]') + `  - { id: r, service: api, paths: [/o], authn: [apiKey] }\n`);
  assert.ok(b.some((i) => i.path === 'roles.viewer.permissions.0' && /prefix ending in ":\*"/.test(i.message)), JSON.stringify(b));
  const c = issues(HEAD + `  - { id: r, service: api, paths: [/o], authn: [apiKey], authz: { conditions: [{ value: "query:a", is: x, present: true }] } }\n`);
  assert.ok(c.some((i) => i.path === 'routes.0.authz.conditions.0' && /exactly one of/.test(i.message)), JSON.stringify(c));
  const d = issues(HEAD + `  - { id: r, service: api, paths: [/o], authn: [apiKey], authz: { conditions: [{ value: "cookie:a", present: true }] } }\n`);
  assert.ok(d.some((i) => i.path === 'routes.0.authz.conditions.0.value'), JSON.stringify(d));
});

test('a per-method require must cover every method the route serves', () => {
  only(HEAD + `  - id: r\n    service: api\n    paths: [/orders]\n    methods: [GET, POST]\n    authn: [apiKey]\n    authz:\n      require: { GET: [orders:read] }\n`, 'routes.0.authz.require', /no permissions for POST/, 18);
  only(HEAD + `  - id: r\n    service: api\n    paths: [/orders]\n    authn: [apiKey]\n    authz:\n      require: { GET: [orders:read] }\n`, 'routes.0.authz.require', /every method: list \*/, 17);
});

test('an unknown role, on a route and on a consumer, with a suggestion', () => {
  only(HEAD + `  - { id: r, service: api, paths: [/o], authn: [apiKey], authz: { roles: [writter] } }\n`, 'routes.0.authz.roles.0', /role "writter" is not defined.*did you mean "writer"/, 12);
  only(HEAD.replace('roles: [viewer] }', 'roles: [veiwer] }') + `  - { id: r, service: api, paths: [/o], authn: [apiKey], authz: { require: [orders:read] } }\n`, 'consumers.app.roles.0', /did you mean "viewer"/, 8);
});

test('owner parameters: missing from a path, named twice, not a whole segment', () => {
  only(HEAD + `  - id: r\n    service: api\n    paths: [/users/:user/orders, /orders]\n    authn: [apiKey]\n    authz:\n      owner: { param: user }\n`, 'routes.0.authz.owner.param', /whole segment.*\/orders has none/, 17);
  only(HEAD + `  - id: r\n    service: api\n    paths: [/users/:user/orders/:user]\n    authn: [apiKey]\n    authz:\n      owner: { param: user }\n`, 'routes.0.authz.owner.param', /names parameter user more than once/, 17);
  only(HEAD + `  - id: r\n    service: api\n    paths: [/users/u-:user]\n    authn: [apiKey]\n    authz:\n      owner: { param: user }\n`, 'routes.0.authz.owner.param', /whole segment/, 17);
});

test('a condition naming a path parameter the route does not have', () => {
  only(HEAD + `  - id: r\n    service: api\n    paths: [/regions/:region]\n    authn: [apiKey]\n    authz:\n      conditions:\n        - { value: "param:regoin", is: eu }\n`, 'routes.0.authz.conditions.0.value', /has no parameter regoin/, 18);
});

test('an unknown time zone, an unknown lookup service, a tenant route that does not exist', () => {
  only(HEAD + `  - id: r\n    service: api\n    paths: [/o]\n    authn: [apiKey]\n    authz:\n      conditions:\n        - time: { from: "09:00", to: "17:00", zone: Europe/Berln }\n`, 'routes.0.authz.conditions.0.time.zone', /unknown time zone "Europe\/Berln"/, 18);
  only(HEAD + `  - id: r\n    service: api\n    paths: [/o/:id]\n    authn: [apiKey]\n    authz:\n      owner: { lookup: { service: owners, path: "/owners/{id}" } }\n`, 'routes.0.authz.owner.lookup.service', /service "owners"/, 17);
  only(HEAD.replace('acme: {}', 'acme: { routes: [nope] }') + `  - { id: r, service: api, paths: [/o], authn: [apiKey], authz: { require: [orders:read] } }\n`, 'tenants.acme.routes.0', /route "nope"/, 3);
});

test('the body is read only on routes whose rules inspect it', () => {
  const loaded = loadConfigText(
    HEAD +
      `  - { id: plain, service: api, paths: [/a], authn: [apiKey], authz: { require: [orders:read] } }\n` +
      `  - { id: owner, service: api, paths: [/b], authn: [apiKey], authz: { owner: { body: /owner } } }\n` +
      `  - { id: cond, service: api, paths: [/c], authn: [apiKey], authz: { conditions: [{ value: "body:/x", is: "1" }] } }\n` +
      `  - { id: deny, service: api, paths: [/d], authn: [apiKey], authz: { deny: [{ id: x, when: [{ value: "body:/x", is: "1" }] }] } }\n`,
  );
  const authz = loaded.pipeline.layers.find((l) => l.name === 'authz')!;
  const route = (id: string, index: number) => ({ id, service: 'api', methods: null, index });
  assert.equal(authz.needsBody!(route('plain', 0)), false);
  assert.equal(authz.needsBody!(route('owner', 1)), true);
  assert.equal(authz.needsBody!(route('cond', 2)), true);
  assert.equal(authz.needsBody!(route('deny', 3)), true);
  assert.equal(authz.callsOut, undefined, 'no lookup: the layer runs even on refused requests, for the trace');
});
