// The limits layer end to end on the memory backend: a real gateway, real API keys in a real
// credential store, an echoing upstream, and a clock the test moves (counters live in deps).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { loadConfigText } from '../src/config/load.ts';
import { createLimitsDeps, type OwnedLimitsDeps } from '../src/layers/limits/deps.ts';
import { openStore } from '../src/store/index.ts';
import type { CredentialStore } from '../src/store/types.ts';
import { startGateway, startUpstream, type TestGateway, type Upstream } from './helpers/servers.ts';

// 2031-03-31 23:59:00 UTC: one minute before the day and the month end.
const START = Date.UTC(2031, 2, 31, 23, 59, 0);

const YAML = (upstream: string) => `
tenants:
  acme: {}
  globex: { plan: gold }
  initech: {}
consumers:
  acme-app: { tenant: acme }
  acme-other: { tenant: acme }
  acme-vip: { tenant: acme, plan: unlimited }
  globex-app: { tenant: globex }
  heavy-app: { tenant: acme }
  initech-app: { tenant: initech }
  initech-two: { tenant: initech }
limits:
  # The older X-RateLimit-* headers are opt-in; these tests check them beside the IETF ones.
  headers: { legacy: true }
  policies:
    per-ip: { key: [ip], rate: [{ limit: 3, windowS: 60 }] }
    per-consumer:
      key: [consumer]
      rate: [{ limit: 2, windowS: 1 }, { limit: 4, windowS: 3600 }]
      plans:
        gold: { rate: [{ limit: 6, windowS: 1 }] }
        unlimited: { unlimited: true }
    daily: { key: [tenant], quota: { limit: 3, period: day } }
    hard-cap: { key: [consumer], quota: { limit: 2, period: month, onExhausted: suspend } }
    tenant-cap: { key: [tenant], quota: { limit: 3, period: month, onExhausted: suspend } }
    weighted: { key: [consumer, route], rate: [{ limit: 10, windowS: 60 }] }
    burst: { key: [ip, route], rate: [{ limit: 30, windowS: 3600 }] }
services:
  api: { upstreams: [{ url: "${upstream}" }] }
routes:
  - { id: public, service: api, paths: [/public], methods: [GET], limits: [per-ip] }
  - { id: orders, service: api, paths: [/orders], methods: [GET], authn: [apiKey], limits: [per-consumer] }
  - { id: reports, service: api, paths: [/reports], methods: [GET], authn: [apiKey], limits: [daily] }
  - { id: capped, service: api, paths: [/capped], methods: [GET], authn: [apiKey], limits: [hard-cap] }
  - { id: tenant-capped, service: api, paths: [/tenant-capped], methods: [GET], authn: [apiKey], limits: [tenant-cap] }
  - { id: export, service: api, paths: [/export], methods: [GET], authn: [apiKey], limits: [weighted], limitCost: 5 }
  - { id: free, service: api, paths: [/free], methods: [GET], authn: [apiKey] }
  - { id: burst, service: api, paths: [/burst], methods: [GET], limits: [burst] }
`;

let dir: string;
let store: CredentialStore;
let upstream: Upstream;
let gw: TestGateway;
let limits: OwnedLimitsDeps;
let now = START;
const keys: Record<string, string> = {};

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pinpoint-limits-'));
  store = openStore(join(dir, 'store.db'));
  upstream = await startUpstream();
  limits = createLimitsDeps({ clock: () => now, report: () => {} });
  gw = await startGateway(YAML(upstream.url), { store, limits });
  for (const c of ['acme-app', 'acme-other', 'acme-vip', 'globex-app', 'heavy-app', 'initech-app', 'initech-two']) {
    keys[c] = (await store.createKey({ consumer: c, scopes: [], actor: 'test' })).key;
  }
});

after(async () => {
  await gw.close();
  await upstream.close();
  await store.close();
  await limits.close();
  rmSync(dir, { recursive: true, force: true });
});

let step = 0;
beforeEach(() => {
  // Every test starts far from the others' counters (all windows here are <= 1 h, quotas are per day or month),
  // at 23:59:00 UTC on the last day of a month.
  step += 3;
  const d = new Date(START);
  now = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + step, 1) - 60_000;
});

async function get(path: string, consumer?: string): Promise<{ status: number; headers: Headers; body: any }> {
  const res = await fetch(gw.url + path, { headers: consumer ? { 'x-api-key': keys[consumer] } : {} });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
}

describe('rate limits', () => {
  test('per client address: the limit passes, the next is 429 with Retry-After, RateLimit headers and the violated policy; waiting fixes it', async () => {
    const seen = upstream.seen.length;
    for (let i = 0; i < 3; i++) {
      const r = await get('/public');
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('ratelimit-policy'), '"per-ip:60s";q=3;w=60');
      assert.equal(r.headers.get('ratelimit'), `"per-ip:60s";r=${2 - i};t=${20 * (i + 1)}`);
      assert.equal(r.headers.get('x-ratelimit-remaining'), String(2 - i));
    }
    const refused = await get('/public');
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('retry-after'), '20');
    assert.equal(refused.headers.get('ratelimit-policy'), '"per-ip:60s";q=3;w=60');
    assert.equal(refused.headers.get('ratelimit'), '"per-ip:60s";r=0;t=20');
    assert.equal(refused.headers.get('x-ratelimit-limit'), '3');
    assert.equal(refused.headers.get('x-ratelimit-remaining'), '0');
    assert.equal(refused.headers.get('x-ratelimit-reset'), '20');
    assert.equal(refused.body.code, 'limits.rate_exceeded');
    assert.equal(refused.body.retryable, true);
    assert.deepEqual(refused.body.violated_policies, [{ policy: 'per-ip', window: '60s', limit: 3, remaining: 0, reset_s: 20 }]);
    assert.equal(upstream.seen.length, seen + 3, 'the refused request never reached the upstream');

    now += 19_999;
    assert.equal((await get('/public')).status, 429, 'not a millisecond before Retry-After');
    now += 1;
    assert.equal((await get('/public')).status, 200);
  });

  test('per consumer, two windows at once; consumers are counted apart; a plan raises the limit; an unlimited plan is not counted', async () => {
    assert.equal((await get('/orders', 'acme-app')).status, 200);
    const second = await get('/orders', 'acme-app');
    assert.equal(second.status, 200);
    assert.equal(second.headers.get('ratelimit-policy'), '"per-consumer:1s";q=2;w=1, "per-consumer:3600s";q=4;w=3600');
    const third = await get('/orders', 'acme-app');
    assert.equal(third.status, 429);
    assert.equal(third.headers.get('retry-after'), '1');
    assert.equal(third.body.violated_policies.length, 1);
    assert.equal(third.body.violated_policies[0].window, '1s');
    // Another consumer of the same tenant has its own counters.
    assert.equal((await get('/orders', 'acme-other')).status, 200);

    // After a second, the 1 s window has refilled; the hour window (4) runs out after two more.
    now += 1000;
    assert.equal((await get('/orders', 'acme-app')).status, 200);
    assert.equal((await get('/orders', 'acme-app')).status, 200);
    now += 1000;
    const hourly = await get('/orders', 'acme-app');
    assert.equal(hourly.status, 429);
    assert.equal(hourly.body.violated_policies[0].window, '3600s');
    // 4 per hour: one unit back every 900 s; the first was charged 2 s ago.
    assert.equal(hourly.headers.get('retry-after'), '898');
    assert.match(hourly.headers.get('ratelimit')!, /"per-consumer:3600s";r=0;t=898/);

    // The tenant's gold plan: 6 at once, no hour window.
    for (let i = 0; i < 6; i++) assert.equal((await get('/orders', 'globex-app')).status, 200, `gold request ${i + 1}`);
    assert.equal((await get('/orders', 'globex-app')).status, 429);
    // The consumer's own plan (unlimited) wins over its tenant's.
    for (let i = 0; i < 10; i++) {
      const r = await get('/orders', 'acme-vip');
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('ratelimit'), null, 'nothing counted, nothing to report');
    }
  });

  test('weighted cost: a route of cost 5 takes 5 of 10, counted per consumer and route', async () => {
    const a = await get('/export', 'heavy-app');
    assert.equal(a.status, 200);
    assert.equal(a.headers.get('x-ratelimit-remaining'), '5');
    assert.equal((await get('/export', 'heavy-app')).status, 200);
    const refused = await get('/export', 'heavy-app');
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('retry-after'), '30');
  });

  test('under concurrent load exactly the limit is admitted (the memory backend decides one request at a time)', async () => {
    const seen = upstream.seen.length;
    const statuses = await Promise.all(Array.from({ length: 90 }, () => get('/burst').then((r) => r.status)));
    assert.equal(statuses.filter((s) => s === 200).length, 30);
    assert.equal(statuses.filter((s) => s === 429).length, 60);
    assert.equal(upstream.seen.length - seen, 30);
  });

  test('requests refused by an earlier layer are not counted', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await fetch(gw.url + '/orders', { headers: { 'x-api-key': 'pp_wrong' } })).status, 401);
    for (let i = 0; i < 3; i++) assert.equal((await fetch(gw.url + '/public', { method: 'DELETE' })).status, 405);
    assert.equal((await get('/orders', 'acme-other')).status, 200);
    assert.equal((await get('/orders', 'acme-other')).status, 200);
    for (let i = 0; i < 3; i++) assert.equal((await get('/public')).status, 200);
  });

  test('a route without limits is never counted or refused', async () => {
    for (let i = 0; i < 10; i++) {
      const r = await get('/free', 'acme-app');
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('ratelimit'), null);
    }
  });
});

describe('quotas and suspension', () => {
  test('a daily tenant quota: 429 limits.quota_exhausted with Retry-After until 00:00 UTC, shared by the tenant, reset the next day', async () => {
    assert.equal(new Date(now).toISOString().slice(11), '23:59:00.000Z');
    assert.equal((await get('/reports', 'acme-app')).status, 200);
    assert.equal((await get('/reports', 'acme-other')).status, 200);
    const last = await get('/reports', 'acme-app');
    assert.equal(last.status, 200);
    assert.equal(last.headers.get('ratelimit-policy'), '"daily:day";q=3;w=86400');
    const refused = await get('/reports', 'acme-other');
    assert.equal(refused.status, 429);
    assert.equal(refused.body.code, 'limits.quota_exhausted');
    assert.equal(refused.body.retryable, true);
    assert.equal(refused.headers.get('retry-after'), '60');
    assert.deepEqual(refused.body.violated_policies, [{ policy: 'daily', window: 'day', limit: 3, remaining: 0, reset_s: 60 }]);
    // Another tenant is not affected.
    assert.equal((await get('/reports', 'globex-app')).status, 200);
    now += 60_000;
    assert.equal((await get('/reports', 'acme-other')).status, 200, 'a new UTC day');
  });

  test('a consumer over a suspending quota is suspended: 403 limits.consumer_suspended, not retryable, and waiting does not lift it', async () => {
    assert.equal((await get('/capped', 'initech-app')).status, 200);
    assert.equal((await get('/capped', 'initech-app')).status, 200);
    const over = await get('/capped', 'initech-app');
    assert.equal(over.status, 403);
    assert.equal(over.body.code, 'limits.consumer_suspended');
    assert.equal(over.body.retryable, false);
    assert.equal(over.headers.get('retry-after'), null);
    // A new month: still suspended, on every route (also those without limits).
    now += 40 * 86400_000;
    const later = await get('/capped', 'initech-app');
    assert.equal(later.status, 403);
    assert.equal(later.body.code, 'limits.consumer_suspended');
    assert.equal((await get('/free', 'initech-app')).status, 403);
    // The other consumer of the tenant goes on.
    assert.equal((await get('/capped', 'initech-two')).status, 200);

    const call = await logged(later.headers.get('x-request-id')!);
    assert.equal(call.decision.layer, 'limits');
    assert.match(call.decision.detail!, /consumer initech-app is suspended since .*quota hard-cap:month \(2 per UTC month\) exceeded/);
    assert.equal(call.decision.fixes[0].retryable, false);

    // An operator lifts it (here through the backend; the CLI does the same).
    assert.equal(limits.memory.lift('pinpoint:limits:suspended:consumer:initech-app'), true);
    assert.equal((await get('/free', 'initech-app')).status, 200);
  });

  test('a tenant over its quota is suspended for all its consumers: 403 limits.tenant_suspended', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await get('/tenant-capped', 'globex-app')).status, 200);
    const over = await get('/tenant-capped', 'globex-app');
    assert.equal(over.status, 403);
    assert.equal(over.body.code, 'limits.tenant_suspended');
    assert.equal(over.body.retryable, false);
    assert.equal((await get('/orders', 'globex-app')).status, 403);
    assert.equal(limits.memory.lift('pinpoint:limits:suspended:tenant:globex'), true);
    assert.equal((await get('/orders', 'globex-app')).status, 200);
  });
});

describe('operator view and reloads', () => {
  test('the decision names the policy, the key it counted on, the count, the window and when it frees', async () => {
    await get('/orders', 'acme-app');
    await get('/orders', 'acme-app');
    const refused = await get('/orders', 'acme-app');
    assert.equal(refused.status, 429);
    const call = await logged(refused.headers.get('x-request-id')!);
    const d = call.decision;
    assert.equal(d.code, 'limits.rate_exceeded');
    assert.equal(d.rule?.id, 'limits.policies.per-consumer.rate[1s]');
    assert.equal(d.evidence[0].where, 'limits:per-consumer (consumer=acme-app)');
    assert.equal(d.evidence[0].expected, 'at most 2 per 1 s');
    assert.match(d.evidence[0].observed, /^2 of 2 used, this request costs 1; frees in 0\.500 s \(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.500Z\)$/);
    assert.equal(d.fixes[0].who, 'client');
    assert.equal(d.fixes[0].retryAfterS, 1);
    // The API key itself appears nowhere in the record.
    assert.doesNotMatch(JSON.stringify(call), new RegExp(keys['acme-app']));
  });

  test('a config reload keeps the counters (they live in deps, not in the compiled layer)', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await get('/public')).status, 200);
    gw.gateway.reload(loadConfigText(YAML(upstream.url) + '  - { id: extra, service: api, paths: [/extra], methods: [GET] }\n', 'test.yaml'));
    assert.equal((await get('/public')).status, 429);
  });
});

async function logged(id: string) {
  const reader = await gw.reader();
  for (let i = 0; i < 100; i++) {
    const call = reader.get(id);
    if (call) return call;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`request ${id} is not in the call log`);
}
