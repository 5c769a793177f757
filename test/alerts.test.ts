import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { allowedRecord, deniedRecord } from '../src/calllog/sample-record.ts';
import type { CallRecord } from '../src/calllog/types.ts';
import { ConfigError, loadConfigText } from '../src/config/load.ts';
import { AlertEvaluator } from '../src/report/alerts.ts';
import { startAlerting } from '../src/report/alerting.ts';
import type { AlertWorkerMessage } from '../src/report/alert-worker.ts';
import { withLog } from './helpers/log-file.ts';
import { startWebhook } from './helpers/webhook.ts';
import { startGateway, startUpstream } from './helpers/servers.ts';

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);

const rulesOf = (yaml: string) => loadConfigText(yaml, 'alerts.yaml').config.alerts.rules;
const WEBHOOK = 'webhook: { url: "http://127.0.0.1:9/hook" }';

test('a percentage rule fires once, stays quiet while it holds, and recovers once', async () => {
  await withLog(async (_log, write, open) => {
    const rules = rulesOf(`alerts: { ${WEBHOOK}, rules: [{ id: orders-403, requests: { route: orders, method: POST }, count: { status: 403 }, windowS: 300, abovePercent: 5, minRequests: 10 }] }`);
    const ev = new AlertEvaluator(rules);
    const post = (at: number, status: number, over: Partial<CallRecord> = {}) => (status === 403
      ? deniedRecord({ at, method: 'POST', status: 403, code: 'authz.scope_missing', layer: 'authz', ...over })
      : allowedRecord({ at, method: 'POST', ...over }));
    // 4 minutes before T0: 18 POSTs allowed, 2 refused with 403 (10%); GETs and other routes do not count.
    const records: CallRecord[] = [];
    for (let i = 0; i < 18; i++) records.push(post(T0 - 4 * MIN + i, 200));
    records.push(post(T0 - 3 * MIN, 403, { requestId: 'req_first403' }), post(T0 - 2 * MIN, 403, { requestId: 'req_second403' }));
    for (let i = 0; i < 30; i++) records.push(deniedRecord({ at: T0 - MIN, method: 'GET', status: 403 }), post(T0 - MIN, 403, { route: 'other' }));
    await write(records);
    const q = open();

    const fired = ev.evaluate(q, T0);
    assert.equal(fired.length, 1);
    const n = fired[0]!;
    assert.deepEqual([n.kind, n.alert, n.counted, n.requests, n.percent], ['alert', 'orders-403', 2, 20, 10]);
    assert.deepEqual(n.examples, ['req_second403', 'req_first403']);
    assert.match(n.summary, /^ALERT orders-403: 2 of 20 requests \(10\.0%\) in the last 300 s; threshold more than 5% of at least 10 requests$/);

    // Not delivered: offered again. Delivered: quiet while the condition holds.
    assert.equal(ev.evaluate(q, T0 + 1000).length, 1);
    ev.delivered(n);
    assert.deepEqual(ev.evaluate(q, T0 + 2000), []);
    assert.deepEqual(ev.evaluate(q, T0 + 3000), []);

    // 40 more allowed POSTs: 2 of 60 is 3.3%, under the threshold: one recovery notice.
    await write(Array.from({ length: 40 }, (_, i) => post(T0 + 5000 + i, 200)));
    const recovered = ev.evaluate(q, T0 + 10_000);
    assert.deepEqual(recovered.map((r) => [r.kind, r.counted, r.requests]), [['recovery', 2, 60]]);
    assert.match(recovered[0]!.summary, /^RECOVERED orders-403: 2 of 60 requests \(3\.3%\)/);
    ev.delivered(recovered[0]!);
    assert.deepEqual(ev.evaluate(q, T0 + 11_000), []);
  });
});

test('a percentage rule stays silent below minRequests', async () => {
  await withLog(async (_log, write, open) => {
    const ev = new AlertEvaluator(rulesOf(`alerts: { ${WEBHOOK}, rules: [{ id: r, abovePercent: 5, minRequests: 10 }] }`));
    await write([deniedRecord({ at: T0 - 1000 }), deniedRecord({ at: T0 - 2000 })]);
    assert.deepEqual(ev.evaluate(open(), T0), []);
  });
});

test('a growth rule per consumer: fires for the consumer whose denials tripled, not for a steady one', async () => {
  await withLog(async (_log, write, open) => {
    const ev = new AlertEvaluator(rulesOf(`alerts: { ${WEBHOOK}, rules: [{ id: tripled, by: consumer, windowS: 3600, growth: 3, minRequests: 5, examples: 2 }] }`));
    const hour = 60 * MIN;
    const records: CallRecord[] = [];
    const d = (consumer: string, at: number, id?: string) => deniedRecord({ consumer, at, ...(id ? { requestId: id } : {}) });
    for (let i = 0; i < 2; i++) records.push(d('acme', T0 - hour - 10 * MIN - i));
    for (let i = 0; i < 7; i++) records.push(d('acme', T0 - 30 * MIN + i, `req_acme${i}`));
    for (let i = 0; i < 6; i++) records.push(d('globex', T0 - hour - 5 * MIN - i), d('globex', T0 - 5 * MIN - i));
    await write(records);
    const q = open();
    const fired = ev.evaluate(q, T0);
    assert.equal(fired.length, 1);
    const n = fired[0]!;
    assert.deepEqual([n.alert, n.group, n.counted, n.previous], ['tripled', { by: 'consumer', value: 'acme' }, 7, 2]);
    assert.deepEqual(n.examples, ['req_acme6', 'req_acme5']);
    ev.delivered(n);
    // An hour later acme has no denials in the window: recovered.
    const later = ev.evaluate(q, T0 + 61 * MIN);
    assert.deepEqual(later.map((r) => [r.kind, r.group?.value]), [['recovery', 'acme']]);
  });
});

test('alert config is checked at load: one threshold per rule, a webhook, unique ids', () => {
  const bad = [
    [`alerts: { ${WEBHOOK}, rules: [{ id: a, abovePercent: 5, growth: 3 }] }`, /exactly one of abovePercent, aboveCount or growth/],
    [`alerts: { ${WEBHOOK}, rules: [{ id: a }] }`, /exactly one of/],
    [`alerts: { rules: [{ id: a, aboveCount: 3 }] }`, /need alerts\.webhook/],
    [`alerts: { ${WEBHOOK}, rules: [{ id: a, aboveCount: 3 }, { id: a, aboveCount: 4 }] }`, /unique/],
    [`alerts: { ${WEBHOOK}, rules: [{ id: a, aboveCount: 3, by: colour }] }`, /by/],
    [`alerts: { webhook: { url: "ftp://x" }, rules: [] }`, /http:\/\/ or https:\/\//],
  ] as const;
  for (const [yaml, message] of bad) {
    assert.throws(() => loadConfigText(yaml, 'alerts.yaml'), (err: unknown) => err instanceof ConfigError && message.test(err.message), yaml);
  }
  assert.deepEqual(loadConfigText('{}', 'x.yaml').config.alerts.rules, []);
});

test('end to end: live 403s on POST /orders fire a webhook once with example request ids, then a recovery notice', async () => {
  const hook = await startWebhook();
  const { received } = hook;
  const hookUrl = hook.url;
  const upstream = await startUpstream();
  const yaml = `
services: { s: { upstreams: [{ url: "${upstream.url}" }] } }
routes:
  - { id: orders, service: s, paths: [/orders], methods: [POST], waf: {} }
alerts:
  evaluateEveryS: 1
  webhook: { url: "${hookUrl}", tokenEnv: PINPOINT_TEST_HOOK_TOKEN }
  rules:
    - { id: orders-403, description: "POST /orders refused", requests: { route: orders, method: POST }, count: { status: 403 }, windowS: 600, abovePercent: 5, minRequests: 10 }
`;
  process.env.PINPOINT_TEST_HOOK_TOKEN = 'hook-secret-123';
  const gw = await startGateway(yaml);
  const messages: AlertWorkerMessage[] = [];
  const alerting = startAlerting(gw.logFile, gw.gateway.loaded.config.alerts, (m) => messages.push(m));
  const until = async (what: string, ok: () => boolean, ms = 20_000) => {
    for (const end = Date.now() + ms; !ok(); await new Promise((r) => setTimeout(r, 50))) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; messages: ${JSON.stringify(messages)}`);
    }
  };
  const post = async (body: unknown) => {
    const res = await fetch(`${gw.url}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    await res.arrayBuffer();
    return { status: res.status, id: res.headers.get('x-request-id')! };
  };
  try {
    const blocked: string[] = [];
    for (let i = 0; i < 8; i++) assert.equal((await post({ item: 'book', n: i })).status, 200);
    for (let i = 0; i < 2; i++) {
      const r = await post({ item: '<script>alert(1)</script>' });
      assert.equal(r.status, 403);
      blocked.push(r.id);
    }
    await until('the alert', () => received.length >= 1);
    const alert = received[0]!;
    assert.deepEqual([alert.kind, alert.alert, alert.description, alert.counted, alert.requests, alert.percent], ['alert', 'orders-403', 'POST /orders refused', 2, 10, 20]);
    assert.deepEqual([...alert.examples].sort(), [...blocked].sort());
    // The worker tells the gateway once the receiver has answered.
    await until('the delivery report', () => messages.some((m) => m.type === 'delivered' && m.kind === 'alert'));

    // Several more evaluations while it still holds: no second alert.
    const evaluationsSeen = received.length;
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal(received.length, evaluationsSeen);

    // Enough allowed POSTs to bring the share under 5%: 2 of 50.
    for (let i = 0; i < 40; i++) assert.equal((await post({ item: 'pen', n: i })).status, 200);
    await until('the recovery', () => received.length >= 2);
    assert.deepEqual([received[1]!.kind, received[1]!.counted, received[1]!.requests], ['recovery', 2, 50]);
    await new Promise((r) => setTimeout(r, 2000));
    assert.equal(received.length, 2, 'no notification after the recovery');
    assert.ok(hook.headers.every((h) => h.authorization === 'Bearer hook-secret-123'), 'every delivery carries the token');
  } finally {
    await alerting.close();
    await gw.close();
    await upstream.close();
    await hook.close();
    delete process.env.PINPOINT_TEST_HOOK_TOKEN;
  }
});

test('a webhook that fails is tried again at the next evaluation, and the failure is reported', async () => {
  let calls = 0;
  const hook = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(++calls === 1 ? 500 : 200).end());
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/`;
  const upstream = await startUpstream();
  const gw = await startGateway(`
services: { s: { upstreams: [{ url: "${upstream.url}" }] } }
routes: [{ id: r, service: s, paths: [/r], methods: [GET] }]
alerts: { evaluateEveryS: 1, webhook: { url: "${url}" }, rules: [{ id: any-denial, aboveCount: 0 }] }
`);
  const messages: AlertWorkerMessage[] = [];
  const alerting = startAlerting(gw.logFile, gw.gateway.loaded.config.alerts, (m) => messages.push(m));
  try {
    const res = await fetch(`${gw.url}/r`, { method: 'DELETE' });
    assert.equal(res.status, 405);
    for (const end = Date.now() + 20_000; calls < 2 && Date.now() < end;) await new Promise((r) => setTimeout(r, 50));
    assert.equal(calls, 2);
    const failed = messages.find((m) => m.type === 'failed');
    assert.ok(failed && failed.type === 'failed' && /answered 500/.test(failed.error), JSON.stringify(messages));
    for (const end = Date.now() + 20_000; !messages.some((m) => m.type === 'delivered') && Date.now() < end;) await new Promise((r) => setTimeout(r, 50));
    assert.ok(messages.some((m) => m.type === 'delivered'), JSON.stringify(messages));
  } finally {
    await alerting.close();
    await gw.close();
    await upstream.close();
    await new Promise<void>((r) => hook.close(() => r()));
  }
});
