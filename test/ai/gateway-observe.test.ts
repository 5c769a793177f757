// What operators see of AI calls, end to end through a real gateway, the official openai SDK
// and fake providers: `pinpoint why` (the model chain, hops, usage, cost, first token),
// Prometheus metrics, the report's AI figures, an alert on provider failures, and explain answering "would this call be
// denied, and by which budget?" against the running gateway's live counters (admin API and
// the CLI), charging nothing.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { renderCall } from '../../src/calllog/render.ts';
import type { StoredCall } from '../../src/calllog/types.ts';
import { runCli } from '../../src/cli/run-cli.ts';
import { loadConfigText } from '../../src/config/load.ts';
import type { ExplainReport } from '../../src/explain/explain.ts';
import { renderReport as renderExplain } from '../../src/explain/render.ts';
import { startAlerting } from '../../src/report/alerting.ts';
import type { Report } from '../../src/report/report.ts';
import { AI_YAML, ANTHROPIC_SECRET, OPENAI_SECRET } from './gateway-world.ts';
import { startWebhook } from '../helpers/webhook.ts';
import { ADMIN_TOKEN, startObservedAiWorld, type ObservedAiWorld } from './observe-world.ts';

let w: ObservedAiWorld;
let key: string;
let client: OpenAI;

before(async () => {
  w = await startObservedAiWorld();
  key = await w.key('acme-app');
  client = new OpenAI({ apiKey: key, baseURL: w.gw.url + '/v1', maxRetries: 0 });
});
after(() => w.close());

const ask = (model: string, content: string, max = 50) => ({ model, messages: [{ role: 'user' as const, content }], max_tokens: max });

async function why(id: string): Promise<StoredCall> {
  await w.logged(id);
  const res = await w.adminFetch(`/why/${id}`);
  assert.equal(res.status, 200);
  return (await res.json()) as StoredCall;
}

/**
 * A fallback call: openai answers 500, backup answers. Its request id. Made once and shared:
 * a target that keeps failing is ejected for a while, and its scripted failure would be left
 * in the fake's queue for the next test's call.
 */
let fallback: Promise<string> | undefined;
const fallbackCall = () => (fallback ??= makeFallbackCall());

async function makeFallbackCall(): Promise<string> {
  w.openai.enqueue({ status: 500, error: { message: 'The server had an error processing your request', type: 'server_error' } });
  w.backup.enqueue({ text: 'From the backup.', usage: { input: 12, output: 4 } });
  const { response } = await client.chat.completions.create(ask('gpt-fb', 'hello?')).withResponse();
  return response.headers.get('x-request-id')!;
}

describe('why', () => {
  test('a call that fell back: alias to provider model, both hops with status, time, outcome and the provider request id, usage, cost, first token', async () => {
    const id = await fallbackCall();
    const call = await why(id);
    const hops = call.ai!.hops;
    assert.deepEqual(hops.map((h) => [h.provider, h.status, h.outcome]), [['openai', 500, 'server_error'], ['backup', 200, 'ok']]);
    const text = renderCall(call);
    assert.match(text, /^Request \S+: ALLOWED 200\n/);
    assert.match(text, /model +gpt-fb → backup\/gpt-4o-mini/);
    assert.match(text, new RegExp(`1 +openai +gpt-4o-mini +500 +\\d+\\.\\d +server_error +${hops[0]!.providerRequestId} +.*The server had an error`));
    assert.match(text, /2 +backup +gpt-4o-mini +200 +\d+\.\d +ok/);
    assert.match(hops[0]!.providerRequestId!, /^req_fake/);
    assert.match(text, /usage +12 in, 4 out\n/);
    assert.match(text, /cost +\$0\.0000\d+\n/);
    assert.match(text, /first token +\d+\.\d ms/);
    assert.match(text, /stopped +answered/);
    assert.ok(!text.includes(OPENAI_SECRET) && !text.includes(key));
  });

  test('a streamed call whose provider sent no usage: the usage is marked estimated, the first token timed', async () => {
    w.openai.enqueue({ text: 'Counting on the gateway.', omitUsage: true });
    const stream = await client.chat.completions.create({ ...ask('gpt', 'stream'), stream: true, stream_options: { include_usage: true } }).withResponse();
    for await (const _ of stream.data);
    const text = renderCall(await why(stream.response.headers.get('x-request-id')!));
    assert.match(text, /api +openai-chat, streamed/);
    assert.match(text, /usage +\d+ in, \d+ out \[estimated: the provider sent no usage, the gateway counted\]/);
    assert.match(text, /first token +\d+\.\d ms/);
  });

  test('a chain that failed: no answer, the provider\'s refusal and why it stopped', async () => {
    w.anthropic.enqueue({ status: 529, error: { type: 'overloaded_error', message: 'Overloaded' } });
    const anthropic = new OpenAI({ apiKey: key, baseURL: w.gw.url + '/v1', maxRetries: 0 });
    const res = await anthropic.chat.completions.create(ask('claude', 'hi')).withResponse().catch((err: InstanceType<typeof OpenAI.APIError>) => err);
    assert.ok(res instanceof OpenAI.APIError);
    const text = renderCall(await why(res.headers!.get('x-request-id')!));
    assert.match(text, /^Request \S+: FAILED 502 ai\.provider_error\n/);
    assert.match(text, /1 +claude +claude-sonnet-4-5 +529 +\d+\.\d +server_error/);
    assert.match(text, /usage +\(none: no provider answered\)/);
    assert.match(text, /stopped +.*no fallback is configured/);
    assert.ok(!text.includes(ANTHROPIC_SECRET));
  });

  test('the CLI prints the AI section from the call log file', async () => {
    const id = await fallbackCall();
    await w.logged(id);
    const r = await runCli(['why', id, '--db', w.gw.logFile], { timeoutMs: 30_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\nAI call\n/);
    assert.match(r.stdout, /Provider hops \(in order\)\n.*\n +1 +openai .*server_error.*\n +2 +backup .* ok/);
  });
});

describe('metrics and report', () => {
  test('GET /metrics counts AI calls, hops by outcome, tokens, cost and time to first token by alias and provider', async () => {
    await w.logged(await fallbackCall());
    const text = await (await w.adminFetch('/metrics')).text();
    assert.match(text, /^pinpoint_ai_calls_total\{alias="gpt-fb",provider="backup",outcome="allow"\} [1-9]\d*$/m);
    assert.match(text, /^pinpoint_ai_provider_hops_total\{alias="gpt-fb",provider="openai",outcome="server_error"\} [1-9]\d*$/m);
    assert.match(text, /^pinpoint_ai_tokens_total\{alias="gpt-fb",provider="backup",direction="output"\} [1-9]\d*$/m);
    assert.match(text, /^pinpoint_ai_cost_usd_total\{alias="gpt-fb",provider="backup"\} \d/m);
    assert.match(text, /^pinpoint_ai_time_to_first_token_seconds_count\{alias="gpt-fb",provider="backup"\} [1-9]\d*$/m);
  });

  test('GET /logs?model= lists the AI calls of one model alias', async () => {
    const id = await fallbackCall();
    await w.logged(id);
    const { entries } = (await (await w.adminFetch('/logs?model=gpt-fb')).json()) as { entries: StoredCall[] };
    assert.ok(entries.some((r) => r.requestId === id));
    assert.ok(entries.every((r) => r.ai?.alias === 'gpt-fb'), JSON.stringify(entries.map((r) => r.ai?.alias)));
    assert.deepEqual(await (await w.adminFetch('/logs?model=nope')).json(), { count: 0, entries: [] });
  });

  test('an alert on provider failures, evaluated in the alert worker over the live call log, names the provider and quotes the call', async () => {
    const id = await fallbackCall();
    await w.logged(id);
    const hook = await startWebhook();
    const { received } = hook;
    const alerts = loadConfigText(
      // The alias a rule names must exist in the config (validate checks it): the alerts come with it.
      `ai: { providers: { p: { type: ollama } }, models: { gpt-fb: { targets: [{ provider: p, model: x }] } } }
alerts: { evaluateEveryS: 1, webhook: { url: "${hook.url}" }, rules: [{ id: provider-failing, requests: { alias: gpt-fb }, count: { ai: provider_failure }, by: provider, windowS: 600, aboveCount: 0 }] }`,
      'alerts.yaml',
    ).config.alerts;
    const alerting = startAlerting(w.gw.logFile, alerts, () => {});
    try {
      for (const end = Date.now() + 20_000; received.length === 0 && Date.now() < end;) await new Promise((r) => setTimeout(r, 50));
      assert.equal(received.length, 1, 'one alert');
      const n = received[0]!;
      assert.deepEqual([n.kind, n.alert, n.group], ['alert', 'provider-failing', { by: 'provider', value: 'openai' }]);
      assert.ok(n.examples.includes(id), JSON.stringify(n));
      assert.match(n.summary, /failed provider calls in the last 600 s/);
    } finally {
      await alerting.close();
      await hook.close();
    }
  });

  test('GET /report has the AI figures: calls, tokens, cost, first token and the providers\' failures', async () => {
    await w.logged(await fallbackCall());
    const res = await w.adminFetch('/report?since=10m');
    assert.equal(res.status, 200);
    const r = (await res.json()) as Report;
    const row = r.ai!.models.find((m) => m.alias === 'gpt-fb' && m.provider === 'backup')!;
    assert.ok(row.calls >= 1 && row.inputTokens >= 12 && row.outputTokens >= 4 && row.costUsd > 0, JSON.stringify(row));
    assert.ok(row.ttftP50Ms! > 0 && row.ttftP95Ms! >= row.ttftP50Ms!);
    const openai = r.ai!.providers.find((p) => p.provider === 'openai')!;
    assert.ok(openai.failures.some((f) => f.outcome === 'server_error' && f.status === 500), JSON.stringify(openai));
  });
});

describe('explain', () => {
  const curl = (k: string, max: number, model = 'gpt') =>
    `curl http://gw.example/v1/chat/completions -H 'Content-Type: application/json' -H 'Authorization: Bearer ${k}' --data-raw '${JSON.stringify({ model, messages: [{ role: 'user', content: 'Say something long.' }], max_tokens: max })}'`;

  async function explainLive(k: string, max: number, request = curl(k, max)): Promise<{ report: ExplainReport; caveats: string[] }> {
    const res = await w.adminFetch('/explain', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ request }) });
    assert.equal(res.status, 200);
    return (await res.json()) as { report: ExplainReport; caveats: string[] };
  }

  const budget = (entries: unknown, name: string) => (entries as Array<Record<string, unknown>>).find((b) => b.budget === name)!;

  test('allowed: the estimate and where each budget stands; then, once the key has used its tokens, denied by that budget; nothing charged', async () => {
    const k = await w.key('acme-two');
    const first = await explainLive(k, 900);
    assert.equal(first.report.decision.outcome, 'allow');
    const ai = first.report.ai!;
    assert.deepEqual([ai.alias, ai.targets, ai.fallbacks], ['gpt', ['openai/gpt-4o-mini'], ['backup/gpt-4o-mini']]);
    assert.equal(ai.estimate.maxOutputTokens, 900);
    assert.ok(ai.estimate.inputTokens > 0 && ai.estimate.costUsd! > 0);
    const tokens = budget(ai.budgets, 'key-tokens');
    assert.deepEqual([tokens.per, tokens.limit, tokens.used, tokens.this_call], ['key', 3000, 0, ai.estimate.inputTokens + 900]);
    assert.equal(budget(ai.budgets, 'team-spend').who, 'acme');
    assert.deepEqual(first.caveats, [], 'the live counters need no caveat');

    // A real call that used 2500 tokens (the provider says so): the key's minute budget has 500 left.
    w.openai.enqueue({ text: 'Long answer.', usage: { input: 20, output: 2480 } });
    const real = new OpenAI({ apiKey: k, baseURL: w.gw.url + '/v1', maxRetries: 0 });
    await real.chat.completions.create(ask('gpt', 'go', 900));

    const second = await explainLive(k, 900);
    const d = second.report.decision;
    assert.deepEqual([d.outcome, d.status, d.code], ['deny', 429, 'ai.token_rate_exceeded']);
    const violated = d.extensions!.violated_budgets as Array<Record<string, unknown>>;
    assert.deepEqual(violated.map((v) => [v.budget, v.per, v.limit, v.used, v.this_call]), [['key-tokens', 'key', 3000, 2500, ai.estimate.inputTokens + 900]]);
    const text = renderExplain(second.report);
    assert.match(text, /DENIED 429 ai\.token_rate_exceeded/);
    assert.match(text, /Budgets that refused\n +budget +per +kind +limit +used +this call +resets at +retry after\n +key-tokens +key +tokens_per_minute +3000 tokens +2500 tokens +\d+ tokens/);
    assert.match(text, /AI call \(dry run: nothing reserved or charged\)/);

    // Explaining charged nothing: the same figures again, and a smaller real call still fits.
    const third = await explainLive(k, 900);
    assert.equal((third.report.decision.extensions!.violated_budgets as Array<{ used: number }>)[0]!.used, 2500);
    const smaller = await explainLive(k, 300);
    assert.equal(smaller.report.decision.outcome, 'allow');
    assert.equal(budget(smaller.report.ai!.budgets, 'key-tokens').used, 2500);
    w.openai.enqueue({ text: 'Short.', usage: { input: 20, output: 10 } });
    await real.chat.completions.create(ask('gpt', 'go', 300));
  });

  test('a tenant whose spend budget is exhausted: denied 403 by the tenant\'s budget, for any of its keys, with the reset', async () => {
    const spender = await w.key('small-app');
    // One call whose real usage costs more than the tenant's $1 a month (gpt-4o-mini: $0.60 per million output tokens).
    w.openai.enqueue({ text: 'Expensive.', usage: { input: 10, output: 1_700_000 } });
    await new OpenAI({ apiKey: spender, baseURL: w.gw.url + '/v1', maxRetries: 0 }).chat.completions.create(ask('gpt', 'go', 10));
    const other = await w.key('small-app');
    const { report } = await explainLive(other, 10);
    const d = report.decision;
    assert.deepEqual([d.outcome, d.status, d.code], ['deny', 403, 'ai.budget_exhausted']);
    const spend = budget(d.extensions!.violated_budgets, 'team-spend');
    assert.equal(spend.per, 'tenant');
    assert.ok((spend.used as number) > 1 && spend.limit === 1, JSON.stringify(spend));
    assert.match(String(spend.resets_at), /^2031-02-01T00:00:00/);
    assert.match(renderExplain(report), /team-spend +tenant +spend_per_month +\$1\.00 +\$1\.02\d* +\$0\.0000\d+ +2031-02-01T00:00:00\.000Z/);
  });

  test('a route without budgets and a model without a context window: still the counted prompt and the priced estimate, and no budget', async () => {
    const k = await w.key('acme-app');
    const body = JSON.stringify({ model: 'claude', max_tokens: 200, messages: [{ role: 'user', content: 'Tell me about the sea.' }] });
    const { report } = await explainLive(k, 200, `curl http://gw.example/anthropic/v1/messages -H 'content-type: application/json' -H 'x-api-key: ${k}' -H 'anthropic-version: 2023-06-01' --data-raw '${body}'`);
    assert.equal(report.decision.outcome, 'allow', JSON.stringify(report.decision));
    const ai = report.ai!;
    assert.deepEqual([ai.alias, ai.targets, ai.budgets], ['claude', ['claude/claude-sonnet-4-5'], undefined]);
    assert.ok(ai.estimate.inputTokens > 0 && ai.estimate.maxOutputTokens === 200 && ai.estimate.costUsd! > 0, JSON.stringify(ai.estimate));
    assert.match(renderExplain(report), /budgets +none applies to this caller on this route/);
  });

  test('the CLI with --admin asks the running gateway; with -c a config file, it says its counters are its own', async () => {
    const k = await w.key('acme-app');
    const viaAdmin = await runCli(['explain', '-', '--admin', w.adminUrl], { input: curl(k, 100), env: { PINPOINT_ADMIN_TOKEN: ADMIN_TOKEN }, timeoutMs: 30_000 });
    assert.equal(viaAdmin.code, 0, viaAdmin.stderr);
    assert.match(viaAdmin.stdout, /ALLOWED/);
    assert.match(viaAdmin.stdout, /estimate +\d+ prompt tokens \(counted by the gateway\) \+ up to 100 output tokens; at most \$0\.0000\d+/);
    assert.match(viaAdmin.stdout, /Budgets: the call fits every one.*\n.*\n +key-tokens +key pk_\S+ +tokens_per_minute +3000 tokens +0 tokens/);
    assert.ok(!viaAdmin.stdout.includes(k), 'the key is never printed');

    const dir = mkdtempSync(join(tmpdir(), 'pinpoint-ai-explain-'));
    try {
      const config = join(dir, 'pinpoint.yaml');
      writeFileSync(config, AI_YAML(w.openai.url, w.backup.url, w.anthropic.url));
      const local = await runCli(['explain', '-', '-c', config, '--as', 'acme-app', '--json'], { input: curl('unused', 100), timeoutMs: 30_000 });
      assert.equal(local.code, 0, local.stderr);
      const report = JSON.parse(local.stdout) as ExplainReport;
      assert.equal(report.decision.outcome, 'allow');
      assert.equal(report.ai?.alias, 'gpt');
      const text = await runCli(['explain', '-', '-c', config, '--as', 'acme-app'], { input: curl('unused', 100), timeoutMs: 30_000 });
      assert.match(text.stdout, /Note: .*checked against this process's own counters \(limits\.backend: memory\).*--admin/);
      assert.match(text.stdout, /with --as, budgets per key count an assumed key that has used nothing/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    assert.equal(w.openai.calls.filter((c) => JSON.stringify(c.body).includes('Say something long')).length, 0, 'nothing was sent to a provider');
  });
});
