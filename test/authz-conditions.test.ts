// Conditions and explicit deny rules end to end: each condition holding and failing, the values
// compared in the operator's record (redacted where a credential could be), deny winning over allows.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, problemOf, startAuthzWorld, type AuthzWorld } from './helpers/authz-gateway.ts';

const YAML = (upstream: string) => `
tenants:
  acme: {}
  globex: {}
roles:
  trader: { permissions: [payments:create] }
  admin: { permissions: ["*"] }
consumers:
  eu-trader: { tenant: acme, roles: [trader], attributes: { region: eu, desks: [fx, rates] } }
  us-trader: { tenant: acme, roles: [trader], attributes: { region: us, desks: [equities] } }
  frozen-trader: { tenant: acme, roles: [trader], attributes: { region: eu } }
  globex-admin: { tenant: globex, roles: [admin], attributes: { region: eu } }
services:
  pay: { upstreams: [{ url: "${upstream}" }] }
routes:
  - id: payments
    service: pay
    paths: [/regions/:region/desks/:desk/payments]
    methods: [POST]
    authn: [apiKey]
    authz:
      require: [payments:create]
      conditions:
        - { id: own-region, value: "param:region", equals: "consumer:region" }
        - { id: own-desk, value: "param:desk", in: "consumer:desks" }
        - { id: currency, value: "body:/currency", in: [EUR, USD] }
        - { id: not-sanctioned, value: "body:/to/country", notIn: [XX, YY] }
        - { id: reason-given, value: "header:x-payment-reason", present: true }
        - { id: not-dry-run, value: "query:mode", is: live, hint: "Payments need mode=live." }
      deny:
        - { id: freeze-frozen-trader, consumers: [frozen-trader], reason: "compliance review 42" }
        - { id: no-big-cash, when: [{ value: "body:/kind", is: cash }, { value: "header:x-override", present: false }], reason: "cash over the counter only" }
  - id: office-hours
    service: pay
    paths: [/office]
    methods: [GET]
    authn: [apiKey]
    authz:
      require: [payments:create]
      conditions:
        - { time: { from: "09:00", to: "17:00", zone: Europe/Berlin, days: [mon, tue, wed, thu, fri] } }
  - id: night-batch
    service: pay
    paths: [/batch]
    methods: [GET]
    authn: [apiKey]
    authz:
      require: [payments:create]
      conditions:
        - { id: night, time: { from: "22:00", to: "06:00" } }
  - id: lockdown
    service: pay
    paths: [/lockdown]
    methods: [GET]
    authn: [apiKey]
    authz:
      require: [payments:create]
      deny: [{ id: maintenance, reason: "migration until Friday" }]
  - id: secret-header
    service: pay
    paths: [/internal]
    methods: [GET]
    authn: [apiKey]
    authz:
      require: [payments:create]
      conditions:
        - { id: gateway-key, value: "header:x-api-key", is: "never-this" }
`;

let w: AuthzWorld;
const keys: Record<string, string> = {};
before(async () => {
  w = await startAuthzWorld(YAML);
  for (const c of ['eu-trader', 'us-trader', 'frozen-trader', 'globex-admin']) keys[c] = await w.key(c, ['*']);
});
after(() => w.close());

const GOOD = { currency: 'EUR', to: { country: 'DE' }, kind: 'wire' };
const pay = (who: string, o: { path?: string; body?: unknown; headers?: Record<string, string> } = {}) =>
  call(w, 'POST', o.path ?? '/regions/eu/desks/fx/payments?mode=live', { key: keys[who], body: o.body ?? GOOD, headers: { 'x-payment-reason': 'invoice 7', ...o.headers } });

test('every condition holding: the payment passes', async () => {
  assert.equal((await pay('eu-trader')).status, 200);
  assert.equal((await pay('eu-trader', { path: '/regions/eu/desks/rates/payments?mode=live' })).status, 200);
  assert.equal((await pay('us-trader', { path: '/regions/us/desks/equities/payments?mode=live' })).status, 200);
});

async function failed(res: Response, id: string): Promise<{ body: Record<string, unknown>; detail: string; evidence: unknown }> {
  assert.equal(res.status, 403);
  const body = await problemOf(res);
  assert.equal(body.code, 'authz.condition_failed');
  assert.equal(body.condition, id);
  const d = (await w.logged(res)).decision;
  assert.equal(d.rule?.id, `route:${d.route}:authz.conditions.${id}`);
  return { body, detail: d.detail!, evidence: d.evidence };
}

test('consumer attribute equals a path parameter: another region is refused, with both values for the operator', async () => {
  const f = await failed(await pay('us-trader', { path: '/regions/eu/desks/equities/payments?mode=live' }), 'own-region');
  assert.match(String(f.body.hint), /path parameter region must equal your attribute region/i);
  assert.ok(!JSON.stringify(f.body).includes('"us"'), 'the caller is not shown the attribute value');
  assert.deepEqual(f.evidence, [{ where: 'param:region', expected: 'equal to consumer:region ("us")', observed: '"eu"' }]);
});

test('a path parameter in a list attribute', async () => {
  const f = await failed(await pay('eu-trader', { path: '/regions/eu/desks/equities/payments?mode=live' }), 'own-desk');
  assert.deepEqual(f.evidence, [{ where: 'param:desk', expected: 'one of consumer:desks (["fx", "rates"])', observed: '"equities"' }]);
});

test('a body field within a set; absent, sent twice or not JSON fails too', async () => {
  const f = await failed(await pay('eu-trader', { body: { ...GOOD, currency: 'GBP' } }), 'currency');
  assert.match(String(f.body.hint), /body field \/currency must be one of: EUR, USD/i);
  assert.match(f.detail, /condition currency \(body:\/currency in \[EUR, USD\]\) of route payments \(POST \/regions\/:region\/desks\/:desk\/payments\) does not hold: body:\/currency is "GBP"/);
  await failed(await pay('eu-trader', { body: { to: { country: 'DE' } } }), 'currency');
  const dup = await failed(await pay('eu-trader', { body: '{"currency":"GBP","currency":"EUR","to":{"country":"DE"}}' }), 'currency');
  assert.deepEqual(dup.evidence, [{ where: 'body:/currency', expected: 'one of EUR, USD', observed: 'sent more than once' }]);
  await failed(await pay('eu-trader', { body: 'currency=EUR', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 'currency');
});

test('notIn: a listed value fails, an absent one fails too', async () => {
  await failed(await pay('eu-trader', { body: { ...GOOD, to: { country: 'XX' } } }), 'not-sanctioned');
  await failed(await pay('eu-trader', { body: { currency: 'EUR' } }), 'not-sanctioned');
});

test('a header present: without it the payment is refused', async () => {
  const res = await call(w, 'POST', '/regions/eu/desks/fx/payments?mode=live', { key: keys['eu-trader'], body: GOOD });
  const f = await failed(res, 'reason-given');
  assert.match(String(f.body.hint), /header x-payment-reason must be present/i);
});

test('a query value, with the condition\'s own hint; a repeated parameter is ambiguous', async () => {
  const f = await failed(await pay('eu-trader', { path: '/regions/eu/desks/fx/payments?mode=test' }), 'not-dry-run');
  assert.equal(f.body.hint, 'Payments need mode=live.');
  await failed(await pay('eu-trader', { path: '/regions/eu/desks/fx/payments?mode=live&mode=test' }), 'not-dry-run');
});

test('a condition on a credential header never shows its value', async () => {
  const res = await call(w, 'GET', '/internal', { key: keys['eu-trader'] });
  const body = await problemOf(res);
  assert.equal(body.code, 'authz.condition_failed');
  assert.ok(!JSON.stringify(body).includes('never-this'), 'the expected value of an is-condition is not told to the caller');
  const d = (await w.logged(res)).decision;
  assert.equal((d.evidence as Array<{ observed: string }>)[0].observed, '[redacted]');
  assert.ok(!JSON.stringify(d).includes(keys['eu-trader']));
});

test('a time window in a time zone, on weekdays: inside passes, outside refused', async () => {
  const key = keys['eu-trader'];
  w.clock.now = Date.parse('2026-03-04T10:00:00Z'); // Wednesday 11:00 in Berlin
  assert.equal((await call(w, 'GET', '/office', { key })).status, 200);
  w.clock.now = Date.parse('2026-03-04T16:30:00Z'); // Wednesday 17:30 in Berlin
  const late = await call(w, 'GET', '/office', { key });
  assert.equal((await problemOf(late)).code, 'authz.condition_failed');
  const d = (await w.logged(late)).decision;
  assert.deepEqual(d.evidence, [{ where: 'time', expected: '09:00-17:00 Europe/Berlin on mon, tue, wed, thu, fri', observed: '17:30 wed (Europe/Berlin)' }]);
  w.clock.now = Date.parse('2026-03-07T10:00:00Z'); // Saturday
  assert.equal((await call(w, 'GET', '/office', { key })).status, 403);
  w.clock.now = undefined;
});

test('a window across midnight (UTC); the fix says when it opens again', async () => {
  const key = keys['eu-trader'];
  w.clock.now = Date.parse('2026-03-04T23:30:00Z');
  assert.equal((await call(w, 'GET', '/batch', { key })).status, 200);
  w.clock.now = Date.parse('2026-03-04T05:59:00Z');
  assert.equal((await call(w, 'GET', '/batch', { key })).status, 200);
  w.clock.now = Date.parse('2026-03-04T06:00:00Z');
  const res = await call(w, 'GET', '/batch', { key });
  assert.equal(res.status, 403);
  const d = (await w.logged(res)).decision;
  const client = d.fixes.find((f) => f.who === 'client')!;
  assert.equal(client.retryAfterS, 16 * 3600);
  assert.equal(client.retryable, true);
  w.clock.now = undefined;
});

test('an explicit deny rule wins over every allow: the frozen trader is refused although everything else holds', async () => {
  const res = await pay('frozen-trader');
  assert.equal(res.status, 403);
  const body = await problemOf(res);
  assert.equal(body.code, 'authz.explicit_deny');
  assert.equal(body.rule, 'freeze-frozen-trader');
  assert.ok(!JSON.stringify(body).includes('compliance'), 'the reason is for operators');
  const d = (await w.logged(res)).decision;
  assert.equal(d.rule?.id, 'route:payments:authz.deny.freeze-frozen-trader');
  assert.match(d.detail!, /matched: compliance review 42/);
  assert.deepEqual(d.evidence, [{ where: 'consumer', expected: 'one of frozen-trader', observed: 'frozen-trader' }]);
  assert.ok(d.fixes.some((f) => f.who === 'operator' && /Remove or narrow deny rule freeze-frozen-trader/.test(f.action)));
});

test('a deny rule with conditions matches only when all of them hold', async () => {
  const res = await pay('eu-trader', { body: { ...GOOD, kind: 'cash' } });
  assert.equal((await problemOf(res)).code, 'authz.explicit_deny');
  assert.equal((await pay('eu-trader', { body: { ...GOOD, kind: 'cash' }, headers: { 'x-override': 'yes' } })).status, 200);
});

test('a deny rule wins over an admin granted everything; a rule without selectors locks the route down', async () => {
  const res = await call(w, 'GET', '/lockdown', { key: keys['globex-admin'] });
  assert.equal((await problemOf(res)).code, 'authz.explicit_deny');
  const d = (await w.logged(res)).decision;
  assert.match(d.detail!, /deny rule maintenance of route lockdown \(GET \/lockdown\) matched: migration until Friday/);
});
