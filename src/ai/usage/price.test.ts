// Prices: the target's override, else @pydantic/genai-prices by our provider type; unpriced is undefined, never 0.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Balancer } from '../../proxy/balancer.ts';
import type { AiPlan, ModelPlan, ProviderPlan, TargetPlan } from '../plan.ts';
import type { ProviderType } from '../providers/types.ts';
import { priceCall, unpricedTargets } from './price.ts';

const provider = (type: ProviderType): ProviderPlan => ({ name: type, type, baseUrl: 'http://127.0.0.1:9', credentials: {}, missingCredentials: [], options: {}, timeouts: { connectMs: 1, firstByteMs: 1, idleMs: 1 } }) as unknown as ProviderPlan;
const target = (type: ProviderType, model: string, price?: TargetPlan['price']): TargetPlan => ({ provider: provider(type), model, price });
const close = (a: number | undefined, b: number) => assert.ok(a !== undefined && Math.abs(a - b) < 1e-12, `${a} ≈ ${b}`);

test('an override prices input, cached input and output per million tokens', () => {
  const t = target('ollama', 'llama3.1:8b', { inputPerMTokUsd: 1, outputPerMTokUsd: 4, cachedInputPerMTokUsd: 0.5 });
  const p = priceCall(t, { inputTokens: 1_000_000, cachedInputTokens: 200_000, outputTokens: 500_000 });
  assert.equal(p?.source, 'override');
  close(p?.costUsd, 0.8 + 0.1 + 2);
  // Without a cached price, cached input costs the input price.
  close(priceCall(target('ollama', 'x', { inputPerMTokUsd: 1, outputPerMTokUsd: 4 }), { inputTokens: 1_000_000, cachedInputTokens: 200_000, outputTokens: 0 })?.costUsd, 1);
});

test('the price table, by provider: openai, azure, anthropic, gemini (google), bedrock (aws)', () => {
  const usage = { inputTokens: 1_000_000, outputTokens: 1_000_000 };
  const cases: [ProviderType, string, number][] = [
    ['openai', 'gpt-4o', 2.5 + 10],
    ['azure-openai', 'gpt-4o', 2.5 + 10],
    ['anthropic', 'claude-3-5-sonnet-latest', 3 + 15],
    ['gemini', 'gemini-2.0-flash', 0.1 + 0.4],
    ['bedrock', 'anthropic.claude-3-5-sonnet-20240620-v1:0', 3 + 15],
  ];
  for (const [type, model, usd] of cases) {
    const p = priceCall(target(type, model), usage);
    assert.equal(p?.source, 'table', `${type} ${model}`);
    close(p?.costUsd, usd);
  }
});

test('cache reads are part of the input total and priced apart (gpt-4o: 1.25 per M instead of 2.5)', () => {
  const p = priceCall(target('openai', 'gpt-4o'), { inputTokens: 1000, cachedInputTokens: 200, outputTokens: 0 });
  close(p?.costUsd, (800 * 2.5 + 200 * 1.25) / 1e6);
});

test('openai-compatible and ollama are looked up by model id alone; a model in no table is unpriced (undefined, not 0)', () => {
  // DeepSeek's table price depends on the time of day (half price 16:30-00:30 UTC): the call's time decides.
  const deepseek = target('openai-compatible', 'deepseek-chat');
  close(priceCall(deepseek, { inputTokens: 1_000_000, outputTokens: 0 }, new Date('2026-12-02T10:00:00Z'))?.costUsd, 0.27);
  close(priceCall(deepseek, { inputTokens: 1_000_000, outputTokens: 0 }, new Date('2026-12-02T18:00:00Z'))?.costUsd, 0.135);
  assert.equal(priceCall(target('ollama', 'llama3.1:8b'), { inputTokens: 10, outputTokens: 10 }), undefined);
  assert.equal(priceCall(target('openai', 'my-fine-tune-xyz'), { inputTokens: 10, outputTokens: 10 }), undefined);
});

test('unpricedTargets lists each alias target and fallback with no price (once per alias), for validate', () => {
  const local = (model: string, price?: TargetPlan['price']) => ({ ...target('ollama', model, price), provider: { ...provider('ollama'), name: 'local' } });
  const model = (alias: string, targets: TargetPlan[], fallbacks: TargetPlan[]): ModelPlan => ({ alias, balancer: new Balancer(targets.map((t) => ({ weight: 1, target: t })), { failures: 3, cooldownMs: 1 }), fallbacks, embeddings: false });
  const plan: AiPlan = {
    providers: new Map(),
    routes: new Map(),
    models: new Map([
      ['smart', model('smart', [target('openai', 'gpt-4o'), local('llama3.1:8b'), local('llama3.1:8b')], [local('mystery-model')])],
      ['cheap', model('cheap', [local('llama3.1:8b', { inputPerMTokUsd: 0.1, outputPerMTokUsd: 0.1 })], [])],
    ]),
  };
  assert.deepEqual(unpricedTargets(plan), [
    { alias: 'smart', provider: 'local', model: 'llama3.1:8b' },
    { alias: 'smart', provider: 'local', model: 'mystery-model' },
  ]);
});

test('after its first call, a target is priced from its remembered model as by a full table lookup (fixed, tiered and dated prices)', async () => {
  const { createRequire } = await import('node:module');
  const table = createRequire(import.meta.url)('@pydantic/genai-prices') as typeof import('@pydantic/genai-prices');
  const cases: [ProviderType, string, string | undefined][] = [
    ['openai', 'gpt-4o', 'openai'],
    ['openai', 'gpt-4o-mini-2024-07-18', 'openai'],
    ['azure-openai', 'gpt-4o', 'azure'],
    ['anthropic', 'claude-3-5-sonnet-latest', 'anthropic'],
    ['anthropic', 'claude-sonnet-4-20250514', 'anthropic'],
    ['gemini', 'gemini-2.5-pro', 'google'], // tiered: above 200k input tokens
    ['openai-compatible', 'mistral-small-latest', undefined],
    ['openai', 'o3', 'openai'], // dated prices
    ['anthropic', 'claude-sonnet-4-6', 'anthropic'], // dated prices
    ['bedrock', 'anthropic.claude-3-5-sonnet-20240620-v1:0', 'aws'],
    ['openai-compatible', 'deepseek-chat', undefined],
  ];
  for (const [type, model, providerId] of cases) {
    const t = target(type, model);
    for (const [input, cachedTokens, output] of [[1, 0, 1], [1000, 200, 50], [250_000, 0, 9000], [3_000_000, 1_000_000, 1]]) {
      const got = priceCall(t, { inputTokens: input, cachedInputTokens: cachedTokens, outputTokens: output });
      const full = table.calcPrice({ input_tokens: input, output_tokens: output, cache_read_tokens: cachedTokens || undefined }, model, providerId ? { providerId } : undefined);
      assert.ok(full, `${type} ${model} is in the table`);
      // Rates worked out from the table's own figures: equal up to float rounding.
      assert.ok(got !== undefined && Math.abs(got.costUsd - full.total_price) <= 1e-12 * Math.max(1, full.total_price), `${type} ${model} ${input}/${cachedTokens}/${output}: ${got?.costUsd} vs ${full.total_price}`);
    }
  }
  // An unpriced target stays unpriced on every call.
  const local = target('ollama', 'llama3.1:8b');
  assert.equal(priceCall(local, { inputTokens: 1, outputTokens: 1 }), undefined);
  assert.equal(priceCall(local, { inputTokens: 1, outputTokens: 1 }), undefined);
});
