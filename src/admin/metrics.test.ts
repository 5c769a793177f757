import assert from 'node:assert/strict';
import { test } from 'node:test';
import { register as globalRegistry } from 'prom-client';
import { aiRecord } from '../calllog/sample-ai-record.ts';
import { callRecord, denialRecord } from './record-fixture.ts';
import { createMetrics, MAX_SERIES_PER_METRIC, OVERFLOW, statusClass } from './metrics.ts';

const record = callRecord;

test('observe counts requests, denials by layer and code, and upstream errors', async () => {
  const m = createMetrics();
  m.observe(record());
  m.observe(record());
  m.observe(denialRecord('route.not_found'));
  m.observe(denialRecord('method.not_allowed'));
  m.observe(denialRecord('method.not_allowed'));
  m.observe(record({ status: 504, outcome: 'error', code: 'upstream.headers_timeout', upstreamMs: undefined, totalMs: 2000 }));
  m.observe(record({ status: 499, outcome: 'error', code: 'client.aborted' }));
  const text = await m.registry.metrics();

  assert.match(text, /^pinpoint_requests_total\{route="orders",method="GET",status_class="2xx",outcome="allow"\} 2$/m);
  // A request that matched no route is counted under route="".
  assert.match(text, /^pinpoint_requests_total\{route="",method="GET",status_class="4xx",outcome="deny"\} 1$/m);
  assert.match(text, /^pinpoint_denials_total\{layer="route",code="route.not_found"\} 1$/m);
  assert.match(text, /^pinpoint_denials_total\{layer="method",code="method.not_allowed"\} 2$/m);
  assert.match(text, /^pinpoint_upstream_errors_total\{code="upstream.headers_timeout"\} 1$/m);
  // A client that went away is not an upstream error.
  assert.doesNotMatch(text, /upstream_errors_total\{code="client/);
  assert.match(text, /^pinpoint_request_duration_seconds_count\{route="orders",outcome="allow"\} 2$/m);
  assert.match(text, /^pinpoint_request_duration_seconds_bucket\{le="0.005",route="orders",outcome="allow"\} 2$/m);
  assert.match(text, /^pinpoint_request_duration_seconds_bucket\{le="0.0005",route="orders",outcome="allow"\} 0$/m);
  // The two errors took 4 ms and 2 s.
  assert.match(text, /^pinpoint_request_duration_seconds_bucket\{le="1",route="orders",outcome="error"\} 1$/m);
  assert.match(text, /^pinpoint_request_duration_seconds_bucket\{le="2.5",route="orders",outcome="error"\} 2$/m);
  assert.match(text, /^pinpoint_upstream_duration_seconds_count\{route="orders"\} 3$/m);
});

test('status classes are bounded', () => {
  assert.deepEqual([0, 101, 200, 302, 404, 499, 503, 600, 99].map(statusClass), ['none', '1xx', '2xx', '3xx', '4xx', '4xx', '5xx', 'other', 'other']);
});

test('observe never binds labels per call: counters count in plain cells, histograms reuse bound children', () => {
  const m = createMetrics();
  const names = ['pinpoint_requests_total', 'pinpoint_denials_total', 'pinpoint_request_duration_seconds', 'pinpoint_upstream_duration_seconds'];
  const calls = new Map<string, number>(names.map((n) => [n, 0]));
  m.observe(record());
  m.observe(denialRecord('method.not_allowed'));
  for (const name of names) {
    const metric = m.registry.getSingleMetric(name) as unknown as { labels: (...a: string[]) => unknown };
    const original = metric.labels.bind(metric);
    metric.labels = (...a: string[]) => {
      calls.set(name, calls.get(name)! + 1);
      return original(...a);
    };
  }
  for (let i = 0; i < 200; i++) {
    m.observe(record());
    m.observe(denialRecord('method.not_allowed'));
  }
  assert.deepEqual(Object.fromEntries(calls), Object.fromEntries(names.map((n) => [n, 0])));
  // A new combination: the counter binds nothing (its cells reach prom-client at scrape time); a new histogram series binds once.
  for (let i = 0; i < 50; i++) m.observe(record({ method: 'POST', status: 201, route: 'other' }));
  assert.equal(calls.get('pinpoint_requests_total'), 0);
  assert.equal(calls.get('pinpoint_request_duration_seconds'), 1);
});

test('counts counted between scrapes reach each scrape once, never twice', async () => {
  const m = createMetrics();
  const line = /^pinpoint_requests_total\{route="orders",method="GET",status_class="2xx",outcome="allow"\} (\d+)$/m;
  for (let i = 0; i < 3; i++) m.observe(record());
  assert.equal(line.exec(await m.registry.metrics())?.[1], '3');
  assert.equal(line.exec(await m.registry.metrics())?.[1], '3');
  for (let i = 0; i < 2; i++) m.observe(record());
  assert.equal(line.exec(await m.registry.metrics())?.[1], '5');
});

test('a non-finite timing is counted but not timed, and never throws', async () => {
  const m = createMetrics();
  m.observe(record({ totalMs: Number.NaN, upstreamMs: Number.POSITIVE_INFINITY }));
  const text = await m.registry.metrics();
  assert.match(text, /^pinpoint_requests_total\{route="orders",method="GET",status_class="2xx",outcome="allow"\} 1$/m);
  assert.doesNotMatch(text, /pinpoint_request_duration_seconds_count\{/);
});

test('an unknown method is counted as OTHER', async () => {
  const m = createMetrics();
  m.observe(record({ method: 'BREW' }));
  assert.match(await m.registry.metrics(), /^pinpoint_requests_total\{route="orders",method="OTHER",status_class="2xx",outcome="allow"\} 1$/m);
});

test('label combinations beyond the bound fold into one overflow series', async () => {
  const m = createMetrics();
  for (let i = 0; i < MAX_SERIES_PER_METRIC + 50; i++) m.observe(record({ route: `r${i}`, upstreamMs: undefined }));
  const text = await m.registry.metrics();
  const series = text.split('\n').filter((l) => l.startsWith('pinpoint_requests_total{'));
  assert.equal(series.length, MAX_SERIES_PER_METRIC + 1);
  assert.match(text, new RegExp(`^pinpoint_requests_total\\{route="${OVERFLOW}",method="${OVERFLOW}",status_class="${OVERFLOW}",outcome="${OVERFLOW}"\\} 50$`, 'm'));
});

test('scrape-time gauges read their sources at every scrape', async () => {
  const stats = { written: 10, dropped: 2, queued: 3 };
  const health = [
    { service: 'orders', url: 'http://127.0.0.1:9001', healthy: true, consecutiveFailures: 0 },
    { service: 'orders', url: 'http://127.0.0.1:9002', healthy: false, consecutiveFailures: 3 },
  ];
  let revision = 'abc123';
  const m = createMetrics();
  m.setSources({ callLogStats: () => stats, revision: () => revision, upstreamHealth: () => health });
  let text = await m.registry.metrics();
  assert.match(text, /^pinpoint_calllog_dropped_total 2$/m);
  assert.match(text, /^pinpoint_calllog_written_total 10$/m);
  assert.match(text, /^pinpoint_calllog_queued 3$/m);
  assert.match(text, /^pinpoint_config_revision_info\{revision="abc123"\} 1$/m);
  assert.match(text, /^pinpoint_upstream_healthy\{service="orders",url="http:\/\/127.0.0.1:9001"\} 1$/m);
  assert.match(text, /^pinpoint_upstream_healthy\{service="orders",url="http:\/\/127.0.0.1:9002"\} 0$/m);

  stats.dropped = 7;
  revision = 'def456';
  health.pop();
  text = await m.registry.metrics();
  assert.match(text, /^pinpoint_calllog_dropped_total 7$/m);
  // Only the revision in force is reported, and an upstream gone from the config disappears.
  assert.match(text, /^pinpoint_config_revision_info\{revision="def456"\} 1$/m);
  assert.doesNotMatch(text, /abc123/);
  assert.doesNotMatch(text, /9002/);
});

test('each instance has its own registry, never the global one', async () => {
  const a = createMetrics();
  const b = createMetrics();
  a.observe(record());
  assert.notEqual(a.registry, b.registry);
  assert.match(await a.registry.metrics(), /pinpoint_requests_total\{/);
  assert.doesNotMatch(await b.registry.metrics(), /pinpoint_requests_total\{/);
  assert.equal(globalRegistry.getSingleMetric('pinpoint_requests_total'), undefined);
});

test('observe stays cheap on the request path', () => {
  const m = createMetrics();
  const r = record();
  const n = 100_000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) m.observe(r);
  const usPerCall = ((performance.now() - t0) * 1000) / n;
  // Generous bound so a slow machine passes; binding labels per call costs several times more.
  assert.ok(usPerCall < 20, `observe took ${usPerCall.toFixed(2)} µs per call`);
});

test('AI calls: calls and provider hops by alias, provider and outcome; tokens in and out, cost, unpriced calls and time to first token', async () => {
  const m = createMetrics();
  m.observe(aiRecord());
  m.observe(aiRecord({ stream: false, hops: [{ provider: 'backup', model: 'gpt-4o-mini', status: 200, ms: 40, outcome: 'ok' }], usage: { inputTokens: 10, outputTokens: 5 }, costUsd: 0.00004, ttftMs: 3000 }));
  m.observe(aiRecord({ alias: 'local', provider: 'ollama', model: 'llama3', hops: [{ provider: 'ollama', model: 'llama3', status: 200, ms: 9, outcome: 'ok' }], usage: { inputTokens: 7, outputTokens: 2, estimated: true }, costUsd: undefined, unpriced: true, ttftMs: 90 }));
  m.observe(aiRecord({ provider: 'openai', usage: undefined, costUsd: undefined, ttftMs: undefined, hops: [{ provider: 'openai', model: 'gpt-4o-mini', status: 429, ms: 2, outcome: 'rate_limited' }] }, { status: 429, outcome: 'error', code: 'ai.provider_rate_limited' }));
  const text = await m.registry.metrics();
  assert.match(text, /^pinpoint_ai_calls_total\{alias="gpt",provider="backup",outcome="allow"\} 2$/m);
  assert.match(text, /^pinpoint_ai_calls_total\{alias="gpt",provider="openai",outcome="error"\} 1$/m);
  assert.match(text, /^pinpoint_ai_calls_total\{alias="local",provider="ollama",outcome="allow"\} 1$/m);
  // The first call's openai hop failed before its fallback answered: each hop is counted where it went.
  assert.match(text, /^pinpoint_ai_provider_hops_total\{alias="gpt",provider="openai",outcome="server_error"\} 1$/m);
  assert.match(text, /^pinpoint_ai_provider_hops_total\{alias="gpt",provider="openai",outcome="rate_limited"\} 1$/m);
  assert.match(text, /^pinpoint_ai_provider_hops_total\{alias="gpt",provider="backup",outcome="ok"\} 2$/m);
  assert.match(text, /^pinpoint_ai_tokens_total\{alias="gpt",provider="backup",direction="input"\} 1210$/m);
  assert.match(text, /^pinpoint_ai_tokens_total\{alias="gpt",provider="backup",direction="output"\} 305$/m);
  assert.match(text, /^pinpoint_ai_tokens_total\{alias="local",provider="ollama",direction="input"\} 7$/m);
  const cost = /^pinpoint_ai_cost_usd_total\{alias="gpt",provider="backup"\} (\S+)$/m.exec(text);
  assert.ok(cost && Math.abs(Number(cost[1]) - 0.0004) < 1e-12, cost?.[1]);
  // An unpriced call is counted as such, never as a cost of zero.
  assert.match(text, /^pinpoint_ai_unpriced_calls_total\{alias="local",provider="ollama"\} 1$/m);
  assert.doesNotMatch(text, /pinpoint_ai_cost_usd_total\{alias="local"/);
  assert.match(text, /^pinpoint_ai_time_to_first_token_seconds_bucket\{le="0.25",alias="gpt",provider="backup"\} 1$/m);
  assert.match(text, /^pinpoint_ai_time_to_first_token_seconds_bucket\{le="4",alias="gpt",provider="backup"\} 2$/m);
  assert.match(text, /^pinpoint_ai_time_to_first_token_seconds_count\{alias="local",provider="ollama"\} 1$/m);
  // A call that no provider answered has no first token.
  assert.doesNotMatch(text, /time_to_first_token_seconds_count\{alias="gpt",provider="openai"\}/);
});

test('AI figures that are not finite are left out, never thrown', async () => {
  const m = createMetrics();
  m.observe(aiRecord({ costUsd: Number.NaN, ttftMs: Number.POSITIVE_INFINITY }));
  const text = await m.registry.metrics();
  assert.match(text, /^pinpoint_ai_calls_total\{alias="gpt",provider="backup",outcome="allow"\} 1$/m);
  assert.doesNotMatch(text, /pinpoint_ai_cost_usd_total\{/);
  assert.doesNotMatch(text, /pinpoint_ai_time_to_first_token_seconds_count\{/);
});

test('a call of a plain route adds no AI series', async () => {
  const m = createMetrics();
  m.observe(record());
  assert.doesNotMatch(await m.registry.metrics(), /pinpoint_ai_\w+\{/);
});
