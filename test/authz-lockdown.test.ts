// Lock-downs: deny rules of the whole gateway (authz.deny) and of one tenant (tenants.<name>.deny),
// on the routes each names, end to end through a real gateway; their config errors at their line;
// explain's proved fixes and the audit's findings about them.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { auditDenyRules } from '../src/audit/authz.ts';
import { auditShadowedAllows } from '../src/audit/shadowing.ts';
import { ConfigError, loadConfigText } from '../src/config/load.ts';
import { describeParsed } from '../src/explain/describe.ts';
import { explain } from '../src/explain/explain.ts';
import { call, problemOf, startAuthzWorld, type AuthzWorld } from './helpers/authz-gateway.ts';

const YAML = (upstream: string) => `
tenants:
  acme: {}
  globex:
    deny:
      - id: globex-read-only
        reason: contract ends on Friday
        methods: [POST, PUT, DELETE]
        routes: [notes]
roles:
  member: { permissions: [orders:read, orders:write] }
  admin: { permissions: ["*"] }
consumers:
  alice: { tenant: acme, roles: [member] }
  root: { tenant: acme, roles: [admin] }
  carol: { tenant: globex, roles: [member] }
services:
  api: { upstreams: [{ url: "${upstream}" }] }
authz:
  deny:
    - id: freeze-orders
      reason: incident 4711
      routes: [orders-*]
      methods: [POST, PUT, DELETE]
      except: { roles: [admin] }
    - id: no-exports-from-test
      routes: [exports]
      when: [{ value: header:x-env, is: test }]
routes:
  - id: orders-collection
    service: api
    paths: [/orders]
    methods: [GET, POST]
    authn: [apiKey]
    authz: { require: { GET: [orders:read], POST: [orders:write] } }
  - id: orders-item
    service: api
    paths: [/orders/:id]
    methods: [GET, PUT, DELETE]
    authn: [apiKey]
  - id: notes
    service: api
    paths: [/notes]
    methods: [GET, POST]
    authn: [apiKey]
    authz: { require: [orders:read], deny: [{ id: no-carol-notes, consumers: [carol] }] }
  - id: exports
    service: api
    paths: [/exports]
    methods: [GET]
    authn: [apiKey]
  - { id: health, service: api, paths: [/health], methods: [GET, POST] }
`;

let w: AuthzWorld;
const keys: Record<string, string> = {};
before(async () => {
  w = await startAuthzWorld(YAML);
  for (const c of ['alice', 'root', 'carol']) keys[c] = await w.key(c, ['*']);
});
after(() => w.close());

test('a gateway lock-down refuses POST for everybody but admins, names its rule and where it was declared; nothing is forwarded', async () => {
  const seen = w.upstream.seen.length;
  for (const [method, path] of [['POST', '/orders'], ['PUT', '/orders/o1'], ['DELETE', '/orders/o1']]) {
    const res = await call(w, method, path, { key: keys.alice, body: method === 'DELETE' ? undefined : { item: 'book' } });
    assert.equal(res.status, 403, `${method} ${path}`);
    const body = await problemOf(res);
    assert.equal(body.code, 'authz.explicit_deny');
    assert.equal(body.rule, 'freeze-orders');
    assert.equal(body.hint, 'This request is blocked by a rule of the API owner; sending it again will not help.');
    const d = (await w.logged(res)).decision;
    assert.equal(d.rule?.id, 'authz.deny.freeze-orders');
    assert.equal(d.rule?.name, 'freeze-orders');
    assert.match(d.detail!, /^gateway deny rule freeze-orders \(authz\.deny\[0\]\) matched on route orders-\w+ .*: incident 4711; deny rules win over every allow$/);
    assert.ok(d.evidence.some((e) => e.where === 'except' && /roles admin/.test(e.expected) && /roles member/.test(e.observed)), JSON.stringify(d.evidence));
    assert.ok(d.evidence.some((e) => e.where === 'route' && e.expected === 'one of orders-*'));
    assert.ok(d.fixes.some((f) => f.who === 'operator' && /deny rule freeze-orders \(authz\.deny\[0\]\)/.test(f.action)));
  }
  assert.equal(w.upstream.seen.length, seen);
  assert.equal((await call(w, 'POST', '/orders', { key: keys.root, body: { item: 'book' } })).status, 200, 'an admin is exempt');
  assert.equal((await call(w, 'DELETE', '/orders/o1', { key: keys.root })).status, 200, 'on a route without authz of its own too');
  assert.equal((await call(w, 'GET', '/orders', { key: keys.alice })).status, 200, 'reads go on');
  assert.equal((await call(w, 'GET', '/orders/o1', { key: keys.alice })).status, 200);
});

test('a lock-down covers only the routes it names; a public route is never covered', async () => {
  assert.equal((await call(w, 'POST', '/notes', { key: keys.alice, body: {} })).status, 200);
  assert.equal((await call(w, 'POST', '/health', { body: {} })).status, 200);
});

test('a tenant lock-down refuses that tenant\'s consumers only, before the route\'s own rules, and names tenant and rule', async () => {
  const res = await call(w, 'POST', '/notes', { key: keys.carol, body: {} });
  assert.equal(res.status, 403);
  const body = await problemOf(res);
  assert.equal(body.code, 'authz.explicit_deny');
  assert.equal(body.rule, 'globex-read-only');
  const d = (await w.logged(res)).decision;
  assert.equal(d.rule?.id, 'tenants.globex.deny.globex-read-only');
  assert.match(d.detail!, /^deny rule globex-read-only of tenant globex \(tenants\.globex\.deny\[0\]\) matched on route notes \(POST \/notes\): contract ends on Friday/);
  assert.deepEqual(d.evidence.find((e) => e.where === 'tenant'), { where: 'tenant', expected: 'globex', observed: 'globex' });
  // GET is not in the tenant rule: the route's own deny rule is what refuses carol there.
  const get = await call(w, 'GET', '/notes', { key: keys.carol });
  assert.equal((await w.logged(get)).decision.rule?.id, 'route:notes:authz.deny.no-carol-notes');
  assert.equal((await call(w, 'POST', '/notes', { key: keys.alice, body: {} })).status, 200, 'another tenant\'s consumer is not affected');
});

test('a gateway rule with a condition refuses only when it holds; a repeated header is not read one way', async () => {
  assert.equal((await call(w, 'GET', '/exports', { key: keys.alice })).status, 200);
  const res = await call(w, 'GET', '/exports', { key: keys.alice, headers: { 'x-env': 'test' } });
  assert.equal((await problemOf(res)).code, 'authz.explicit_deny');
  assert.equal((await w.logged(res)).decision.rule?.id, 'authz.deny.no-exports-from-test');
  assert.equal((await call(w, 'GET', '/exports', { key: keys.alice, headers: { 'x-env': 'prod' } })).status, 200);
});

test('a refused request gets no further: no route rule, tenant list or limit is consulted after a lock-down', async () => {
  const res = await call(w, 'POST', '/orders', { key: keys.carol, body: {} });
  const d = (await w.logged(res)).decision;
  assert.equal(d.rule?.id, 'authz.deny.freeze-orders', 'the gateway rule is checked first');
  assert.equal(d.trace.find((t) => t.layer === 'authz')?.verdict, 'deny');
});

test('explain proves removing the lock-down, or exempting the caller, lets the request through', async () => {
  const target = w.gateway.explainTarget();
  const r = await explain(target, describeParsed({ method: 'POST', url: '/orders', headers: [['Host', 'api.test'], ['X-API-Key', keys.alice], ['Content-Type', 'application/json']], body: Buffer.from('{}'), source: 'curl' }));
  assert.equal(r.decision.code, 'authz.explicit_deny');
  const proved = r.fixes.filter((f) => f.proved).map((f) => f.action);
  assert.ok(proved.includes('Remove deny rule freeze-orders (authz.deny[0]).'), JSON.stringify(r.fixes));
  assert.ok(proved.includes('Exempt alice from deny rule freeze-orders (add it to authz.deny[0].except.consumers).'), JSON.stringify(r.fixes));
  const t = await explain(target, describeParsed({ method: 'POST', url: '/notes', headers: [['Host', 'api.test'], ['X-API-Key', keys.carol], ['Content-Type', 'application/json']], body: Buffer.from('{}'), source: 'curl' }));
  // Removing the tenant rule leaves the route's own rule refusing carol: not a proved fix of this refusal's cause alone.
  assert.equal(t.decision.rule?.id, 'tenants.globex.deny.globex-read-only');
  assert.ok(t.fixes.some((f) => /tenants\.globex\.deny\[0\]/.test(f.action)), JSON.stringify(t.fixes));
});

test('audit: lock-downs without exemption are reported, and rules that never fired by where they are declared', () => {
  const { config } = w.gateway.loaded;
  // Hits by rule id, as the call log counts them from the decisions' rule ids.
  const hits = new Map([['authz.deny.freeze-orders', 3]]);
  const never = auditDenyRules(config, hits, 30).map((f) => f.subject).sort();
  assert.deepEqual(never, ['gateway deny no-exports-from-test', 'route notes deny no-carol-notes', 'tenant globex deny globex-read-only']);
  const shadow = auditShadowedAllows(config).map((f) => f.subject);
  assert.deepEqual(shadow, ['tenant globex\'s deny globex-read-only'], 'the admin-exempt lock-down and the conditional rule are not');
});

const HEAD = `
tenants:
  acme: {}
roles:
  admin: { permissions: ["*"] }
consumers:
  app: { tenant: acme, roles: [admin] }
services:
  api: { upstreams: [{ url: "http://127.0.0.1:9" }] }
routes:
  - { id: orders, service: api, paths: [/orders/:id], methods: [GET], authn: [apiKey] }
  - { id: public, service: api, paths: [/public], methods: [GET] }
`;

function issue(yaml: string): { path: string; message: string; line?: number } {
  try {
    loadConfigText(yaml, 't.yaml');
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    assert.equal(err.issues.length, 1, JSON.stringify(err.issues));
    const i = err.issues[0];
    return { path: i.path.join('.'), message: i.message, line: i.line };
  }
  assert.fail('the config loaded');
}

test('lock-down mistakes are config errors at their line', () => {
  const at = (rules: string) => issue(HEAD + `authz:\n  deny:\n${rules}`);
  let i = at('    - { id: a, routes: [order] }\n');
  assert.deepEqual([i.path, i.line], ['authz.deny.0.routes.0', 15]);
  assert.match(i.message, /route "order" is not defined; did you mean "orders"\?/);
  i = at('    - { id: a, routes: [public] }\n');
  assert.match(i.message, /route public is public \(no authn\)/);
  i = at('    - { id: a, routes: [pub*] }\n');
  assert.match(i.message, /pub\* matches no route with authn/);
  i = at('    - { id: a }\n    - { id: a, methods: [POST] }\n');
  assert.deepEqual([i.path, i.line], ['authz.deny.1.id', 16]);
  assert.match(i.message, /deny rule id "a" is used twice/);
  i = at('    - { id: a, except: { roles: [admn] } }\n');
  assert.equal(i.path, 'authz.deny.0.except.roles.0');
  assert.match(i.message, /did you mean "admin"/);
  i = at('    - { id: a, except: {} }\n');
  assert.match(i.message, /except names at least one of consumers, tenants, roles/);
  i = at('    - { id: a, when: [{ value: param:order, is: x }] }\n');
  assert.equal(i.path, 'authz.deny.0.when.0.value');
  assert.match(i.message, /path \/orders\/:id of route orders has no parameter order/);
  i = issue(HEAD.replace('acme: {}', 'acme:\n    deny: [{ id: t, tenants: [acme] }]'));
  assert.equal(i.path, 'tenants.acme.deny.0.tenants', 'a tenant rule is about its own tenant');
  assert.match(i.message, /tenants/);
  i = issue(HEAD.replace('acme: {}', 'acme:\n    deny: [{ id: t, routes: [nope] }]'));
  assert.deepEqual([i.path, i.line], ['tenants.acme.deny.0.routes.0', 4]);
});

test('a config with only lock-downs (no route authz) still runs the authz layer', () => {
  const loaded = loadConfigText(HEAD + 'authz:\n  deny: [{ id: freeze, methods: [GET] }]\n', 't.yaml');
  assert.ok(loaded.pipeline.layers.some((l) => l.name === 'authz'));
  assert.ok(!loadConfigText(HEAD, 't.yaml').pipeline.layers.some((l) => l.name === 'authz'));
});
