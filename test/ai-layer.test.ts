// The ai layer through the real pipeline: a real config, real API keys in a real credential
// store, the real dialect and template parsing; budgets on the memory backend and on the real
// Redis (127.0.0.1:6379, a key prefix of its own per run). Every refusal the layer makes, and
// the calls it lets through with what it leaves on ctx.ai.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { AiCallState } from '../src/ai/call-state.ts';
import { countChatTokens } from '../src/ai/usage/estimate.ts';
import { ConfigError, loadConfigText } from '../src/config/load.ts';
import { decisionProblemFields } from '../src/decision/problem.ts';
import type { Decision } from '../src/decision/types.ts';
import { createLimitsDeps, type OwnedLimitsDeps } from '../src/layers/limits/deps.ts';
import { compilePipeline } from '../src/pipeline/order.ts';
import type { Pipeline } from '../src/pipeline/pipeline.ts';
import type { EvalContext } from '../src/pipeline/types.ts';
import { openStore } from '../src/store/index.ts';
import type { CredentialStore } from '../src/store/types.ts';
import { REDIS_URL, redisPrefixes } from './helpers/redis-keys.ts';

// 2031-03-31 23:59:00 UTC: a minute before the month ends.
const START = Date.UTC(2031, 2, 31, 23, 59, 0);
const MONTH_END = '2031-04-01T00:00:00.000Z';

const YAML = (backend: string, prefix: string) => `
tenants:
  acme: { aiModels: [smart, cheap, local, embed, other] }
  globex: { aiModels: [cheap] }
consumers:
  acme-app: { tenant: acme }
  acme-limited: { tenant: acme, aiModels: [cheap] }
  acme-other: { tenant: acme }
  globex-app: { tenant: globex }
limits: { backend: ${backend}, redis: { url: "${REDIS_URL}", keyPrefix: "${prefix}" } }
ai:
  providers:
    oai: { type: openai, credentials: { apiKey: { env: PINPOINT_TEST_UNSET_OPENAI_KEY } } }
    lab: { type: openai-compatible, baseUrl: "http://127.0.0.1:9/v1" }
  models:
    smart: { targets: [{ provider: oai, model: gpt-4o }], contextWindow: 1000, maxOutputTokens: 500 }
    cheap: { targets: [{ provider: oai, model: gpt-4o-mini }] }
    local: { targets: [{ provider: lab, model: llama3.1:8b }] }
    embed: { targets: [{ provider: oai, model: text-embedding-3-small }], embeddings: true }
    other: { targets: [{ provider: oai, model: gpt-4o }] }
  budgets:
    key-rpm: { key: key, requestsPerMinute: 2 }
    key-tpm: { key: key, tokensPerMinute: 2000 }
    team-spend: { key: tenant, spend: { limitUsd: 0.01, period: month, softAt: 0.5 } }
routes:
  - { id: chat, serve: ai, paths: [/v1/chat/completions, /v1/embeddings, /v1/models], methods: [POST], authn: [apiKey], ai: { models: [smart, cheap, local, embed] } }
  - { id: rpm, serve: ai, paths: [/rpm/v1/chat/completions], methods: [POST], authn: [apiKey], ai: { budgets: [key-rpm] } }
  - { id: tpm, serve: ai, paths: [/tpm/v1/chat/completions], methods: [POST], authn: [apiKey], ai: { budgets: [key-tpm] } }
  - { id: spend, serve: ai, paths: [/spend/v1/chat/completions], methods: [POST], authn: [apiKey], ai: { budgets: [team-spend] } }
  - id: summarize
    serve: ai
    paths: [/summarize]
    methods: [POST]
    authn: [apiKey]
    ai:
      template:
        version: "2031-03"
        model: cheap
        prompt: "Summarise: {{text}}"
        variables: { type: object, required: [text], properties: { text: { type: string } }, additionalProperties: false }
  - { id: anthropic, serve: ai, paths: [/anthropic/v1/messages], methods: [POST], authn: [apiKey], ai: { api: anthropic, models: [cheap] } }
`;

let dir: string;
let store: CredentialStore;
const prefixes = redisPrefixes();
const keys: Record<string, string> = {};

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pinpoint-ai-layer-'));
  store = openStore(join(dir, 'store.db'));
  const issue = async (name: string, consumer: string, scopes: string[]) => (keys[name] = (await store.createKey({ consumer, scopes, actor: 'test' })).key);
  await issue('acme', 'acme-app', []);
  await issue('acme2', 'acme-app', []);
  await issue('limited', 'acme-limited', []);
  await issue('other', 'acme-other', []);
  await issue('globex', 'globex-app', []);
  await issue('cheapOnly', 'acme-app', ['model:cheap']);
  await issue('anyModel', 'acme-app', ['model:*', 'model:cheap']);
});

after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  await prefixes.cleanup();
});

interface World {
  pipeline: Pipeline;
  deps: OwnedLimitsDeps;
  now: number;
  reports: string[];
}

async function world(backend: 'memory' | 'redis', yaml = YAML): Promise<World> {
  const prefix = prefixes.fresh();
  const w = { now: START, reports: [] as string[] } as World;
  w.deps = createLimitsDeps({ clock: () => w.now, report: (m) => w.reports.push(m) });
  w.pipeline = compilePipeline(loadConfigText(yaml(backend, prefix), 'ai.yaml').config, { authn: { keys: store }, limits: w.deps });
  await w.deps.ready();
  return w;
}

const chatBody = (model: string, content = 'Hello there', extra: Record<string, unknown> = {}) => ({ model, messages: [{ role: 'user', content }], ...extra });

async function call(w: World, path: string, body: unknown, key: string | null = keys.acme, dryRun = false): Promise<{ d: Decision; ctx: EvalContext; ai?: AiCallState }> {
  const bytes = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  const headers: Record<string, string> = { host: 'api.test', 'content-type': 'application/json', 'content-length': String(bytes.length) };
  if (key) headers['x-api-key'] = key;
  const req = { method: 'POST', httpVersion: '1.1', path, query: '', host: 'api.test', headers, clientIp: '192.0.2.7', rawBody: bytes };
  const ctx: EvalContext = { req, audience: 'anyone', dryRun };
  const d = await w.pipeline.run(req, { requestId: 'req_ai', disposition: dryRun ? 'explain' : 'enforce', configRevision: 'r1' }, ctx);
  return { d, ctx, ai: ctx.ai };
}

function denied(d: Decision, code: string, status: number): void {
  assert.equal(d.outcome, 'deny', `expected ${code}, the call was allowed`);
  assert.equal(d.code, code, d.detail);
  assert.equal(d.status, status);
  assert.equal(d.layer, 'ai');
}

/** What the authenticated caller's response carries (the members of its error envelope). */
function forCaller(d: Decision) {
  return decisionProblemFields(d, 'caller', 'https://pinpoint.dev/errors/');
}

describe('the ai layer: parsing, models, context window', () => {
  let w: World;
  before(async () => {
    w = await world('memory');
  });
  after(() => w.deps.close());

  test('an allowed chat call: ctx.ai has the dialect, the alias, the estimate; no budget, so nothing to settle', async () => {
    const { d, ai } = await call(w, '/v1/chat/completions', chatBody('smart', 'Hello there', { max_tokens: 100 }));
    assert.equal(d.outcome, 'allow', d.detail);
    assert.ok(ai);
    assert.equal(ai.dialect?.name, 'openai-chat');
    assert.equal(ai.alias, 'smart');
    assert.equal(ai.call.operation, 'chat');
    const prompt = countChatTokens(ai.call.operation === 'chat' ? ai.call.request : assert.fail());
    // The model has a context window, so the prompt is counted; without a spend budget nothing is priced.
    assert.deepEqual(ai.estimate, { inputTokens: prompt, maxOutputTokens: 100 });
    assert.equal(ai.settle, undefined);
    assert.deepEqual(ai.warnings, []);
    assert.equal(d.trace.at(-1)?.layer, 'ai');
  });

  test('without max_tokens the reservation is the model\'s maxOutputTokens, else 4096', async () => {
    assert.equal((await call(w, '/v1/chat/completions', chatBody('smart'))).ai?.estimate.maxOutputTokens, 500);
    assert.equal((await call(w, '/v1/chat/completions', chatBody('cheap'))).ai?.estimate.maxOutputTokens, 4096);
  });

  test('an embeddings call: no output reserved; the anthropic dialect on its route', async () => {
    const e = await call(w, '/v1/embeddings', { model: 'embed', input: ['a b c', 'd e f'] });
    assert.equal(e.d.outcome, 'allow', e.d.detail);
    assert.equal(e.ai?.dialect?.name, 'openai-embeddings');
    assert.equal(e.ai?.estimate.maxOutputTokens, 0);
    // No context window and no budget on this route: the prompt is not counted (serving counts if it must).
    assert.equal(e.ai?.estimate.counted, false);
    const a = await call(w, '/anthropic/v1/messages', { model: 'cheap', max_tokens: 50, messages: [{ role: 'user', content: 'Hi' }] });
    assert.equal(a.d.outcome, 'allow', a.d.detail);
    assert.equal(a.ai?.dialect?.name, 'anthropic-messages');
    assert.equal(a.ai?.estimate.maxOutputTokens, 50);
  });

  test('ai.request_invalid: a body that is not JSON, a call of the wrong shape (with its path), a path that is no endpoint', async () => {
    const notJson = await call(w, '/v1/chat/completions', '{"model": "smart", ');
    denied(notJson.d, 'ai.request_invalid', 400);
    assert.match(notJson.d.hint!, /not JSON/);
    const shape = await call(w, '/v1/chat/completions', { model: 'smart', messages: 'hello' });
    denied(shape.d, 'ai.request_invalid', 400);
    assert.equal(forCaller(shape.d).extensions?.param, 'messages');
    const endpoint = await call(w, '/v1/models', { model: 'smart' });
    denied(endpoint.d, 'ai.request_invalid', 400);
    assert.match(endpoint.d.hint!, /\/v1\/models is not an endpoint of the openai API/);
  });

  test('ai.request_invalid: an embeddings model called for chat, and a chat model for embeddings', async () => {
    const chat = await call(w, '/v1/chat/completions', chatBody('embed'));
    denied(chat.d, 'ai.request_invalid', 400);
    assert.match(chat.d.hint!, /model: "embed" is an embeddings model/);
    const emb = await call(w, '/v1/embeddings', { model: 'cheap', input: 'x' });
    denied(emb.d, 'ai.request_invalid', 400);
    assert.match(emb.d.hint!, /"cheap" is a chat model/);
  });

  test('ai.model_unknown: 404 naming only what the caller sent', async () => {
    const { d } = await call(w, '/v1/chat/completions', chatBody('gpt-5-turbo-max'));
    denied(d, 'ai.model_unknown', 404);
    assert.equal(d.hint, 'The model "gpt-5-turbo-max" does not exist.');
    assert.deepEqual(forCaller(d).extensions, { model: 'gpt-5-turbo-max' });
    assert.match(d.detail!, /defined: smart, cheap, local, embed, other/);
  });

  test('ai.model_not_allowed by each list: route, tenant, consumer, key scope; the caller never sees a list', async () => {
    const cases: [string, string, string, RegExp, RegExp][] = [
      ['other', keys.acme, 'routes[0].ai.models', /route chat does not serve other \(it serves smart, cheap, local, embed\)/, /not allowed for this route/],
      ['smart', keys.globex, 'tenants.globex.aiModels', /tenant globex may call \[cheap\].*Add smart to tenants\.globex\.aiModels/, /not allowed for this key/],
      ['smart', keys.limited, 'consumers.acme-limited.aiModels', /consumer acme-limited may call \[cheap\].*Add smart to consumers\.acme-limited\.aiModels/, /not allowed for this key/],
      ['smart', keys.cheapOnly, 'credential:scopes', /limited to models \[cheap\] by its model:<alias> scopes.*--scopes model:cheap,model:smart/, /not allowed for this key/],
    ];
    for (const [model, key, rule, detail, hint] of cases) {
      const { d } = await call(w, '/v1/chat/completions', chatBody(model), key);
      denied(d, 'ai.model_not_allowed', 403);
      assert.equal(d.rule?.id, rule);
      assert.match(d.detail!, detail);
      assert.match(d.hint!, hint);
      const shown = JSON.stringify(forCaller(d));
      for (const other of ['cheap', 'embed', 'local'].filter((m) => m !== model)) assert.ok(!shown.includes(other), `the caller's response names ${other}: ${shown}`);
    }
  });

  test('a key whose model scopes allow the alias passes, and model:* lifts the limit', async () => {
    assert.equal((await call(w, '/v1/chat/completions', chatBody('cheap'), keys.cheapOnly)).d.outcome, 'allow');
    assert.equal((await call(w, '/v1/chat/completions', chatBody('smart'), keys.anyModel)).d.outcome, 'allow');
  });

  test('ai.context_too_long: 400 with the numbers, before any call', async () => {
    const long = 'word '.repeat(1200);
    const { d, ai } = await call(w, '/v1/chat/completions', chatBody('smart', long));
    denied(d, 'ai.context_too_long', 400);
    const ext = forCaller(d).extensions as { prompt_tokens: number; max_output_tokens: null; context_window: number };
    assert.ok(ext.prompt_tokens > 1000);
    assert.equal(ext.max_output_tokens, null);
    assert.equal(ext.context_window, 1000);
    assert.match(d.detail!, /over the context window of smart \(1000 tokens, ai\.models\.smart\.contextWindow\)/);
    assert.equal(ai, undefined);
    // The prompt fits, the prompt plus the output asked for does not.
    const both = await call(w, '/v1/chat/completions', chatBody('smart', 'word '.repeat(600), { max_tokens: 450 }));
    denied(both.d, 'ai.context_too_long', 400);
    assert.equal((forCaller(both.d).extensions as { max_output_tokens: number }).max_output_tokens, 450);
    assert.match(both.d.hint!, /plus the 450 output tokens asked for exceeds the model's context window of 1000 tokens/);
  });

  test('asking for more output than the model gives is ai.request_invalid', async () => {
    const { d } = await call(w, '/v1/chat/completions', chatBody('smart', 'hi', { max_tokens: 501 }));
    denied(d, 'ai.request_invalid', 400);
    assert.match(d.hint!, /asks for up to 501 output tokens; model "smart" gives at most 500/);
  });

  test('a template route: the rendered call and the template version on ctx.ai; invalid variables are 422 ai.template_invalid at their pointer', async () => {
    const ok = await call(w, '/summarize', { text: 'A long text.' });
    assert.equal(ok.d.outcome, 'allow', ok.d.detail);
    assert.equal(ok.ai?.dialect, undefined);
    assert.deepEqual(ok.ai?.template, { route: 'summarize', version: '2031-03' });
    assert.equal(ok.ai?.alias, 'cheap');
    const bad = await call(w, '/summarize', { text: 42 });
    denied(bad.d, 'ai.template_invalid', 422);
    const ext = forCaller(bad.d).extensions as { param: string; errors: { pointer: string }[] };
    assert.equal(ext.param, '/text');
    assert.deepEqual(ext.errors.map((e) => e.pointer), ['/text']);
    const missing = await call(w, '/summarize', {});
    denied(missing.d, 'ai.template_invalid', 422);
    const notJson = await call(w, '/summarize', 'text=hi');
    denied(notJson.d, 'ai.request_invalid', 400);
  });

  test('the layer never runs once an earlier layer refused (no key: authn refuses, ai is skipped)', async () => {
    const { d, ai } = await call(w, '/v1/chat/completions', chatBody('smart'), null);
    assert.equal(d.code, 'authn.credential_missing');
    assert.equal(d.trace.find((t) => t.layer === 'ai')?.verdict, 'skipped');
    assert.equal(ai, undefined);
  });
});

for (const backend of ['memory', 'redis'] as const) {
  describe(`the ai layer's budgets: ${backend}`, () => {
    let w: World;
    before(async () => {
      w = await world(backend);
    });
    after(() => w.deps.close());

    test('requestsPerMinute: 429 ai.request_rate_exceeded with Retry-After and the budget; a dry run charges nothing', async () => {
      for (let i = 0; i < 4; i++) assert.equal((await call(w, '/rpm/v1/chat/completions', chatBody('cheap'), keys.acme, true)).d.outcome, 'allow', 'dry runs');
      for (let i = 0; i < 2; i++) assert.equal((await call(w, '/rpm/v1/chat/completions', chatBody('cheap'))).d.outcome, 'allow');
      const explained = await call(w, '/rpm/v1/chat/completions', chatBody('cheap'), keys.acme, true);
      denied(explained.d, 'ai.request_rate_exceeded', 429);
      assert.equal(explained.d.rule?.id, 'ai.budgets.key-rpm.requestsPerMinute', 'explain says which budget would refuse');
      assert.equal(explained.ai?.settle, undefined, 'a dry run reserves nothing');
      const { d } = await call(w, '/rpm/v1/chat/completions', chatBody('cheap'));
      denied(d, 'ai.request_rate_exceeded', 429);
      assert.equal(d.rule?.id, 'ai.budgets.key-rpm.requestsPerMinute');
      // 2 per minute: one frees every 30 s.
      assert.equal(d.headers?.['retry-after'], '30');
      const [v] = (forCaller(d).extensions as { violated_budgets: Record<string, unknown>[] }).violated_budgets;
      assert.deepEqual(v, {
        budget: 'key-rpm',
        per: 'key',
        kind: 'requests_per_minute',
        unit: 'requests',
        limit: 2,
        used: 2,
        this_call: 1,
        resets_at: new Date(START + 30_000).toISOString(),
        retry_after_s: 30,
        fix: 'Wait 30 s before the next call.',
      });
      // Per key: another key of the same consumer has its own.
      assert.equal((await call(w, '/rpm/v1/chat/completions', chatBody('cheap'), keys.acme2)).d.outcome, 'allow');
      // The anyone audience (not this caller) sees no budget figures.
      assert.equal(decisionProblemFields(d, 'anyone', 'x:').extensions, undefined);
    });

    test('tokensPerMinute: a call reserves prompt + max output; settle gives back what it did not use, and charges what it used over', async () => {
      const first = await call(w, '/tpm/v1/chat/completions', chatBody('cheap', 'hi', { max_tokens: 1500 }));
      assert.equal(first.d.outcome, 'allow', first.d.detail);
      const reserved = first.ai!.estimate.inputTokens + 1500;
      assert.deepEqual(first.ai!.reserved, { tokens: reserved, spendUsd: undefined });
      const second = await call(w, '/tpm/v1/chat/completions', chatBody('cheap', 'hi', { max_tokens: 1500 }));
      denied(second.d, 'ai.token_rate_exceeded', 429);
      const [v] = (forCaller(second.d).extensions as { violated_budgets: Record<string, number>[] }).violated_budgets;
      assert.equal(v.used, reserved);
      assert.equal(v.this_call, reserved);
      assert.equal(v.limit, 2000);
      assert.ok(Number(second.d.headers?.['retry-after']) > 0);
      // The first used 100 in all: 100 stay, the rest comes back and the second now fits.
      await first.ai!.settle!({ inputTokens: 60, outputTokens: 40 }, 0.0001);
      const third = await call(w, '/tpm/v1/chat/completions', chatBody('cheap', 'hi', { max_tokens: 1500 }));
      assert.equal(third.d.outcome, 'allow', third.d.detail);
      // It used 1900 (more than its reservation): charged, so the next is refused even for a small call.
      await third.ai!.settle!({ inputTokens: 400, outputTokens: 1500 }, 0.001);
      denied((await call(w, '/tpm/v1/chat/completions', chatBody('cheap', 'hi', { max_tokens: 10 }))).d, 'ai.token_rate_exceeded', 429);
      // A minute later it has refilled.
      w.now += 60_000;
      assert.equal((await call(w, '/tpm/v1/chat/completions', chatBody('cheap', 'hi', { max_tokens: 10 }))).d.outcome, 'allow');
    });

    test('ai.call_exceeds_budget: a call larger than the whole minute is 400, not a 429 no wait could fix', async () => {
      const { d } = await call(w, '/tpm/v1/chat/completions', chatBody('cheap', 'hi', { max_tokens: 5000 }), keys.acme2);
      denied(d, 'ai.call_exceeds_budget', 400);
      assert.equal(d.headers?.['retry-after'], undefined);
      assert.match(d.detail!, /Raise ai\.budgets\.key-tpm\.tokensPerMinute to at least 50\d\d tokens/);
      assert.match(d.hint!, /ask for fewer output tokens/);
    });

    test('spend: reserved at the model\'s price, 403 ai.budget_exhausted when this call would go over, with the reset; settle both ways; soft threshold noted', async () => {
      w.now = START;
      const body = chatBody('smart', 'Hello there', { max_tokens: 500 });
      const first = await call(w, '/spend/v1/chat/completions', body);
      assert.equal(first.d.outcome, 'allow', first.d.detail);
      const cost = first.ai!.estimate.costUsd!;
      assert.ok(cost > 0.005 && cost < 0.0055, `gpt-4o: 500 output tokens at $10/M plus the prompt (${cost})`);
      assert.equal(first.ai!.reserved?.spendUsd, Math.ceil(cost * 1e6) / 1e6);
      const second = await call(w, '/spend/v1/chat/completions', body);
      denied(second.d, 'ai.budget_exhausted', 403);
      assert.equal(second.d.headers?.['retry-after'], undefined, 'a 403 has no Retry-After: the SDKs must not retry');
      const [v] = (forCaller(second.d).extensions as { violated_budgets: Record<string, unknown>[] }).violated_budgets;
      assert.equal(v.budget, 'team-spend');
      assert.equal(v.per, 'tenant');
      assert.equal(v.kind, 'spend_per_month');
      assert.equal(v.unit, 'usd');
      assert.equal(v.limit, 0.01);
      assert.equal(v.used, Math.ceil(cost * 1e6) / 1e6);
      assert.equal(v.resets_at, MONTH_END);
      assert.match(second.d.hint!, /The spend budget team-spend \(per tenant, \$0\.01 per UTC month\) has \$0\.00\d+ left; this call may cost up to \$0\.00\d+\. It resets at 2031-04-01T00:00:00\.000Z\./);
      assert.match(second.d.detail!, /at least \$0\.01\d* admits this call now|limit would have to be at least/);
      // Another consumer of the same tenant shares the budget.
      denied((await call(w, '/spend/v1/chat/completions', body, keys.other)).d, 'ai.budget_exhausted', 403);
      // The first cost $0.006 in the end (more than reserved): charged, and that takes the budget over its soft 50%.
      await first.ai!.settle!({ inputTokens: 100, outputTokens: 575 }, 0.006);
      assert.deepEqual(first.ai!.warnings, ['budget team-spend (per tenant acme) passed its soft threshold of 50%: $0.006 of $0.01 per UTC month used']);
      // A call that reached no provider gives its whole reservation back.
      const small = await call(w, '/spend/v1/chat/completions', chatBody('smart', 'hi', { max_tokens: 100 }));
      assert.equal(small.d.outcome, 'allow', small.d.detail);
      await small.ai!.settle!(undefined, undefined);
      const again = await call(w, '/spend/v1/chat/completions', chatBody('smart', 'hi', { max_tokens: 100 }));
      assert.equal(again.d.outcome, 'allow', 'the released reservation is available again');
      await again.ai!.settle!({ inputTokens: 10, outputTokens: 10 }, 0.0001);
      // The new month starts at zero.
      w.now = Date.parse(MONTH_END);
      assert.equal((await call(w, '/spend/v1/chat/completions', body)).d.outcome, 'allow');
    });

    test('an unpriced model under a spend budget: allowed, not charged, flagged unpriced (never costed at zero)', async () => {
      w.now = Date.parse(MONTH_END) + 86_400_000 * 3;
      const { d, ai } = await call(w, '/spend/v1/chat/completions', chatBody('local', 'hi', { max_tokens: 100 }), keys.acme);
      assert.equal(d.outcome, 'allow', d.detail);
      assert.equal(ai?.estimate.costUsd, undefined);
      assert.equal(ai?.unpriced, true);
      assert.match(ai!.warnings[0], /model local has no price: spend budget team-spend not charged/);
      assert.equal(ai?.reserved, undefined);
      assert.equal(ai?.settle, undefined);
    });
  });
}

describe('budgets when Redis cannot be reached', () => {
  test('failMode closed: 503 ai.budget_unavailable; failMode open: the call passes unchecked, noted on ctx.ai', async () => {
    // Nothing listens on port 1: the connection is refused at once.
    const yaml = (_b: string, prefix: string) =>
      YAML('redis', prefix)
        .replace(`url: "${REDIS_URL}"`, 'url: "redis://127.0.0.1:1", connectTimeoutMs: 200')
        .replace('key-rpm: { key: key, requestsPerMinute: 2 }', 'key-rpm: { key: key, requestsPerMinute: 2, failMode: closed }');
    const w = await world('redis', yaml);
    try {
      const closed = await call(w, '/rpm/v1/chat/completions', chatBody('cheap'));
      denied(closed.d, 'ai.budget_unavailable', 503);
      assert.equal(closed.d.headers?.['retry-after'], '1');
      const open = await call(w, '/tpm/v1/chat/completions', chatBody('cheap', 'hi', { max_tokens: 10 }));
      assert.equal(open.d.outcome, 'allow', open.d.detail);
      assert.match(open.ai!.warnings[0], /budgets key-tpm not checked nor charged: the counters could not be reached/);
      assert.equal(open.ai!.settle, undefined);
    } finally {
      await w.deps.close();
    }
  });
});

describe('config', () => {
  const refused = (yaml: string) => {
    try {
      loadConfigText(yaml, 'ai.yaml');
    } catch (err) {
      assert.ok(err instanceof ConfigError, String(err));
      return err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n');
    }
    assert.fail('the config was accepted');
  };

  test('a budget on a public route is refused (there is no key, consumer or tenant to count on)', () => {
    const message = refused(YAML('memory', 'x:').replace("paths: [/rpm/v1/chat/completions], methods: [POST], authn: [apiKey]", 'paths: [/rpm/v1/chat/completions], methods: [POST]'));
    assert.match(message, /routes\.1\.ai\.budgets\.0: route rpm: budget key-rpm is kept per key, but the route is public/);
  });

  test('an aiModels entry that names no alias is refused (it would refuse in silence)', () => {
    const message = refused(YAML('memory', 'x:').replace('globex: { aiModels: [cheap] }', 'globex: { aiModels: [chaep] }'));
    assert.match(message, /tenants\.globex\.aiModels\.0: tenants\.globex\.aiModels: model alias "chaep" is not defined under ai\.models/);
  });

  test('a config without AI routes has no ai layer', () => {
    const { pipeline } = loadConfigText('services: { api: { upstreams: [{ url: "http://127.0.0.1:9" }] } }\nroutes: [{ id: a, service: api, paths: [/a] }]');
    assert.ok(!pipeline.layers.some((l) => l.name === 'ai'));
  });
});
