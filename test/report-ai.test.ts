// Trends and alerts of AI calls over a real call log file: the report's figures per model
// alias and provider (calls, tokens, cost, time to first token percentiles, provider failures
// by outcome and status), and the alert kinds budget_warning and provider_failure.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AiHop } from '../src/ai/record.ts';
import { aiRecord } from '../src/calllog/sample-ai-record.ts';
import { allowedRecord, deniedRecord } from '../src/calllog/sample-record.ts';
import type { CallRecord } from '../src/calllog/types.ts';
import { ConfigError, loadConfigText } from '../src/config/load.ts';
import { AlertEvaluator } from '../src/report/alerts.ts';
import { renderReport } from '../src/report/render.ts';
import { buildReport } from '../src/report/report.ts';
import { withLog } from './helpers/log-file.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);
const rulesOf = (yaml: string) => loadConfigText(yaml, 'alerts.yaml').config.alerts.rules;
const WEBHOOK = 'webhook: { url: "http://127.0.0.1:9/hook" }';

const ok = (provider: string, ms = 100): AiHop => ({ provider, model: 'm', status: 200, ms, outcome: 'ok' });
const fail = (provider: string, outcome: AiHop['outcome'], status?: number): AiHop => ({ provider, model: 'm', ms: 5, outcome, ...(status ? { status } : {}) });

/** gpt answered by openai in 100 + i ms to first token, 100 in / 10 out tokens, $0.001 each. */
const gptCall = (at: number, i: number, over: Parameters<typeof aiRecord>[0] = {}) =>
  aiRecord({ provider: 'openai', hops: [ok('openai')], usage: { inputTokens: 100, outputTokens: 10 }, costUsd: 0.001, ttftMs: 100 + i, ...over }, { at });

test('the report: AI calls per model alias and provider, tokens, cost, first token p50/p95, provider failures by outcome and status', async () => {
  await withLog(async (_log, write, open) => {
    const from = T0 - HOUR;
    const records: CallRecord[] = [];
    // 20 gpt calls answered by openai, first tokens 101..120 ms; p50 is the 10th (110), p95 the 19th (119).
    for (let i = 1; i <= 20; i++) records.push(gptCall(from + i * 1000, i));
    // 3 gpt calls where openai failed and backup answered (one with usage the gateway estimated).
    for (let i = 0; i < 3; i++) {
      records.push(aiRecord({ provider: 'backup', hops: [fail('openai', 'server_error', 503), ok('backup')], usage: { inputTokens: 50, outputTokens: 5, estimated: i === 0 ? true : undefined }, costUsd: 0.0005, ttftMs: 300 }, { at: from + 30 * MIN + i }));
    }
    // One gpt call that no provider answered: a timeout, then backup rate limited.
    records.push(aiRecord({ provider: 'backup', hops: [fail('openai', 'timeout'), fail('backup', 'rate_limited', 429)], usage: undefined, costUsd: undefined, ttftMs: undefined }, { at: from + 40 * MIN, status: 429, outcome: 'error', code: 'ai.provider_rate_limited' }));
    // A local model without a price: unpriced, never costed at zero.
    records.push(aiRecord({ alias: 'local', provider: 'ollama', hops: [ok('ollama')], usage: { inputTokens: 7, outputTokens: 3 }, costUsd: undefined, unpriced: true, ttftMs: 50 }, { at: from + 50 * MIN }));
    // A client that went away mid-stream is not a provider failure.
    records.push(gptCall(from + 55 * MIN, 0, { hops: [{ ...ok('openai'), outcome: 'client_aborted' }], ttftMs: undefined }));
    // Previous period: 2 gpt calls. Plain calls and denials are not AI calls.
    records.push(gptCall(from - 30 * MIN, 1), gptCall(from - 20 * MIN, 2), allowedRecord({ at: from + 1000 }), deniedRecord({ at: from + 2000 }));
    await write(records);

    const r = buildReport(open(), { from, to: T0, buckets: 6, top: 5 });
    const ai = r.ai!;
    assert.ok(ai, 'the report has an AI part');
    assert.deepEqual(ai.totals, { calls: 26, inputTokens: 20 * 100 + 3 * 50 + 7 + 100, outputTokens: 20 * 10 + 3 * 5 + 3 + 10, costUsd: ai.totals.costUsd, unpricedCalls: 1 });
    assert.ok(Math.abs(ai.totals.costUsd - (21 * 0.001 + 3 * 0.0005)) < 1e-12, String(ai.totals.costUsd));
    assert.equal(ai.previous.calls, 2);
    const row = (alias: string, provider: string) => ai.models.find((m) => m.alias === alias && m.provider === provider)!;
    const openai = row('gpt', 'openai');
    assert.deepEqual([openai.calls, openai.errors, openai.inputTokens, openai.outputTokens, openai.ttftP50Ms, openai.ttftP95Ms], [21, 0, 2100, 210, 110, 119]);
    const backup = row('gpt', 'backup');
    // 4 calls ended at backup: 3 answered, 1 failed; one had estimated usage.
    assert.deepEqual([backup.calls, backup.errors, backup.inputTokens, backup.estimatedCalls, backup.ttftP50Ms, backup.ttftP95Ms], [4, 1, 150, 1, 300, 300]);
    const local = row('local', 'ollama');
    assert.deepEqual([local.calls, local.costUsd, local.unpricedCalls, local.ttftP50Ms], [1, 0, 1, 50]);

    const byProvider = Object.fromEntries(ai.providers.map((p) => [p.provider, p]));
    assert.deepEqual(byProvider.openai, {
      provider: 'openai', hops: 25, failed: 4, failurePercent: 16,
      failures: [{ outcome: 'server_error', status: 503, count: 3 }, { outcome: 'timeout', status: null, count: 1 }],
    });
    assert.deepEqual([byProvider.backup.hops, byProvider.backup.failed, byProvider.backup.failures], [4, 1, [{ outcome: 'rate_limited', status: 429, count: 1 }]]);
    assert.equal(byProvider.ollama.failed, 0);
    assert.equal(ai.providers[0]!.provider, 'openai', 'the provider with most failures first');

    const text = renderReport(r);
    assert.match(text, /\nAI calls: calls 26, tokens 2257 in \/ 228 out, cost \$0\.0225 \+ 1 unpriced call \(not costed\)\n/);
    assert.match(text, /previous period: calls 2, .*; change in calls \+24 \(\+1200%\)/);
    assert.match(text, /model alias +provider +calls +errors +tokens in +tokens out +cost +first token p50 +p95\ngpt +openai +21 +0 +2100 +210 +\$0\.021 +110 ms +119 ms/);
    assert.match(text, /gpt +backup +4 +1 +150 \(1 estimated\) +15 +\$0\.0015 +300 ms +300 ms/);
    assert.match(text, /local +ollama +1 +0 +7 +3 +\$0 \+ 1 unpriced +50 ms +50 ms/);
    assert.match(text, /provider +hops +failed +rate +failures\nopenai +25 +4 +16\.0% +server_error 503 ×3, timeout ×1\nbackup +4 +1 +25\.0% +rate_limited 429 ×1/);
  });
});

test('a period without AI calls has no AI part', async () => {
  await withLog(async (_log, write, open) => {
    await write([allowedRecord({ at: T0 - 1000 }), deniedRecord({ at: T0 - 2000 })]);
    const r = buildReport(open(), { from: T0 - HOUR, to: T0, buckets: 4, top: 3 });
    assert.equal(r.ai, undefined);
    assert.doesNotMatch(renderReport(r), /AI calls/);
  });
});

test('alert budget_warning: fires per tenant when AI calls carry budget warnings, quotes them, recovers', async () => {
  await withLog(async (_log, write, open) => {
    const ev = new AlertEvaluator(rulesOf(`alerts: { ${WEBHOOK}, rules: [{ id: budget-soft, description: "spend past a soft threshold", count: { ai: budget_warning }, by: tenant, windowS: 600, aboveCount: 0 }] }`));
    const warned = (at: number, tenant: string, id: string) =>
      aiRecord({ warnings: [`budget team-spend (per tenant ${tenant}) passed its soft threshold of 80%: $0.81 of $1.00 per UTC month used`] }, { at, tenant, requestId: id });
    await write([
      warned(T0 - 2 * MIN, 'acme', 'req_warn1'),
      warned(T0 - MIN, 'acme', 'req_warn2'),
      // Calls without warnings, a denial and a plain call: never counted.
      aiRecord({}, { at: T0 - MIN, tenant: 'globex' }),
      aiRecord({ warnings: [] }, { at: T0 - MIN, tenant: 'globex' }),
      deniedRecord({ at: T0 - MIN, tenant: 'globex' }),
      allowedRecord({ at: T0 - MIN, tenant: 'globex' }),
    ]);
    const q = open();
    const fired = ev.evaluate(q, T0);
    assert.deepEqual(fired.map((n) => [n.kind, n.group?.value, n.counted]), [['alert', 'acme', 2]]);
    assert.deepEqual(fired[0]!.examples, ['req_warn2', 'req_warn1']);
    assert.equal(fired[0]!.description, 'spend past a soft threshold');
    assert.match(fired[0]!.summary, /^ALERT budget-soft \(tenant acme\): 2 AI calls with budget warnings in the last 600 s; threshold more than 0 AI calls with budget warnings$/);
    ev.delivered(fired[0]!);
    assert.deepEqual(ev.evaluate(q, T0 + 1000), []);
    const later = ev.evaluate(q, T0 + 20 * MIN);
    assert.deepEqual(later.map((n) => [n.kind, n.group?.value]), [['recovery', 'acme']]);
  });
});

test('alert budget_warning as a percentage is of AI calls, not of every request', async () => {
  await withLog(async (_log, write, open) => {
    const ev = new AlertEvaluator(rulesOf(`alerts: { ${WEBHOOK}, rules: [{ id: warn-share, count: { ai: budget_warning }, abovePercent: 20, minRequests: 4 }] }`));
    const records: CallRecord[] = [aiRecord({ warnings: ['w'] }, { at: T0 - 1000 })];
    for (let i = 0; i < 3; i++) records.push(aiRecord({}, { at: T0 - 2000 - i }));
    // Plenty of plain calls: they would bring the share under 20% if they counted.
    for (let i = 0; i < 30; i++) records.push(allowedRecord({ at: T0 - 3000 - i }));
    await write(records);
    const fired = ev.evaluate(open(), T0);
    assert.deepEqual(fired.map((n) => [n.counted, n.requests, n.percent]), [[1, 4, 25]]);
    assert.match(fired[0]!.summary, /1 of 4 AI calls had budget warnings \(25\.0%\)/);
  });
});

test('alert provider_failure by provider: the failure rate of each provider\'s calls, fallbacks counted where they went', async () => {
  await withLog(async (_log, write, open) => {
    const ev = new AlertEvaluator(rulesOf(`alerts: { ${WEBHOOK}, rules: [{ id: provider-failing, count: { ai: provider_failure }, by: provider, windowS: 300, abovePercent: 20, minRequests: 5, examples: 2 }] }`));
    const records: CallRecord[] = [];
    // openai: 6 calls, 3 failed (each then answered by backup): 50%. backup: 10 calls, 1 failed: 10%.
    for (let i = 0; i < 3; i++) records.push(aiRecord({ hops: [fail('openai', 'server_error', 500), ok('backup')] }, { at: T0 - MIN + i, requestId: `req_fb${i}` }));
    for (let i = 0; i < 3; i++) records.push(aiRecord({ provider: 'openai', hops: [ok('openai')] }, { at: T0 - MIN + 10 + i }));
    for (let i = 0; i < 6; i++) records.push(aiRecord({ hops: [ok('backup')] }, { at: T0 - MIN + 20 + i }));
    records.push(aiRecord({ hops: [fail('backup', 'stream_error', 200)] }, { at: T0 - MIN + 30, outcome: 'error', code: 'ai.stream_interrupted' }));
    // Client aborts are the client's, not the provider's.
    for (let i = 0; i < 3; i++) records.push(aiRecord({ provider: 'anthropic', hops: [{ ...ok('anthropic'), outcome: 'client_aborted' }] }, { at: T0 - MIN + 40 + i }));
    await write(records);
    const q = open();
    const fired = ev.evaluate(q, T0);
    assert.deepEqual(fired.map((n) => [n.group?.value, n.counted, n.requests, n.percent]), [['openai', 3, 6, 50]]);
    assert.deepEqual(fired[0]!.examples, ['req_fb2', 'req_fb1']);
    assert.match(fired[0]!.summary, /^ALERT provider-failing \(provider openai\): 3 of 6 provider calls failed \(50\.0%\) in the last 300 s; threshold more than 20% of at least 5 provider calls$/);
    ev.delivered(fired[0]!);
    // openai recovers: enough good calls bring it to 3 of 16.
    await write(Array.from({ length: 10 }, (_, i) => aiRecord({ provider: 'openai', hops: [ok('openai')] }, { at: T0 + i })));
    assert.deepEqual(ev.evaluate(q, T0 + 1000).map((n) => [n.kind, n.group?.value, n.counted, n.requests]), [['recovery', 'openai', 3, 16]]);
  });
});

test('alert provider_failure narrowed to one provider and alias counts only its calls', async () => {
  await withLog(async (_log, write, open) => {
    // A rule's alias and provider must exist in the config: they come with it.
    const ai = 'ai: { providers: { openai: { type: ollama } }, models: { gpt: { targets: [{ provider: openai, model: x }] } } }\n';
    const ev = new AlertEvaluator(rulesOf(`${ai}alerts: { ${WEBHOOK}, rules: [{ id: openai-gpt, requests: { provider: openai, alias: gpt }, count: { ai: provider_failure }, aboveCount: 1 }] }`));
    await write([
      aiRecord({ hops: [fail('openai', 'refused', 401), ok('backup')] }, { at: T0 - 1000 }),
      aiRecord({ hops: [fail('openai', 'rate_limited', 429), ok('backup')] }, { at: T0 - 2000 }),
      // Another alias, and another provider's failure: not counted.
      aiRecord({ alias: 'other', hops: [fail('openai', 'refused', 401)] }, { at: T0 - 3000 }),
      aiRecord({ hops: [fail('backup', 'timeout')] }, { at: T0 - 4000 }),
    ]);
    const fired = ev.evaluate(open(), T0);
    assert.deepEqual(fired.map((n) => n.counted), [2]);
  });
});

test('AI alert kinds are checked at load', () => {
  for (const yaml of [
    `alerts: { ${WEBHOOK}, rules: [{ id: a, count: { ai: budget_warnings }, aboveCount: 0 }] }`,
    `alerts: { ${WEBHOOK}, rules: [{ id: a, count: { ai: provider_failure }, by: model, aboveCount: 0 }] }`,
    `alerts: { ${WEBHOOK}, rules: [{ id: a, requests: { alias: "" }, count: { ai: provider_failure }, aboveCount: 0 }] }`,
  ]) {
    assert.throws(() => loadConfigText(yaml, 'alerts.yaml'), ConfigError, yaml);
  }
  const [rule] = rulesOf(`alerts: { ${WEBHOOK}, rules: [{ id: a, count: { ai: provider_failure }, by: provider, abovePercent: 10 }] }`);
  assert.deepEqual([rule!.count.ai, rule!.by], ['provider_failure', 'provider']);
});
