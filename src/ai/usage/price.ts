/**
 * What a call cost: the target's price override (ai.models.<alias>.targets[].price), else the
 * maintained price table of @pydantic/genai-prices (MIT; its data ships inside the package and
 * is never fetched at run time). A target with neither is unpriced: callers flag it (validate,
 * the call log) and never cost it as zero.
 */
import { createRequire } from 'node:module';
import type * as GenaiPrices from '@pydantic/genai-prices';
import type { AiPlan, TargetPlan } from '../plan.ts';
import type { ProviderType } from '../providers/types.ts';
import type { Usage } from '../types.ts';

type Prices = typeof GenaiPrices;
let prices: Prices | undefined;

/** The price table, loaded on first use (through require: no request waits on an import). */
function table(): Prices {
  return (prices ??= createRequire(import.meta.url)('@pydantic/genai-prices') as Prices);
}

/**
 * The table's provider ids for ours. openai-compatible servers and Ollama serve models of
 * many makers: their model id alone is looked up (the table finds a provider whose models
 * match it: deepseek-chat, mistral-large-latest...; a local llama3 is not in it).
 */
const TABLE_PROVIDER: Record<ProviderType, string | undefined> = {
  openai: 'openai',
  'azure-openai': 'azure',
  anthropic: 'anthropic',
  gemini: 'google',
  bedrock: 'aws',
  'openai-compatible': undefined,
  ollama: undefined,
};

export interface Priced {
  costUsd: number;
  source: 'override' | 'table';
}

const PER_MTOK = 1_000_000;

/** `at`: when the call ran (default now): some table prices change with the time of day (DeepSeek's off-peak hours). */
export function priceCall(target: TargetPlan, usage: Usage, at?: Date): Priced | undefined {
  const cached = Math.min(usage.cachedInputTokens ?? 0, usage.inputTokens);
  const o = target.price;
  if (o) {
    const fresh = usage.inputTokens - cached;
    const costUsd = (fresh * o.inputPerMTokUsd + cached * (o.cachedInputPerMTokUsd ?? o.inputPerMTokUsd) + usage.outputTokens * o.outputPerMTokUsd) / PER_MTOK;
    return { costUsd, source: 'override' };
  }
  const costUsd = tableCost(target, usage.inputTokens, cached, usage.outputTokens, at);
  return costUsd === undefined ? undefined : { costUsd, source: 'table' };
}

interface Known {
  /** The table's provider narrowed to the target's model (found once: see tableCost). */
  provider: GenaiPrices.Provider;
  /** The model has one fixed price without tiers: its cost is affine in the token counts. */
  rates?: { base: number; input: number; cacheRead: number; output: number };
}

/**
 * What the table says a call costs. A full lookup walks the table's providers and then every
 * model's match rules (hundreds of lower-cased string tests), and the table's pricing checks
 * its units on every call: together ~10 µs of every AI call. So the first call of a target
 * finds its model once; a model with one fixed, untiered price is then costed from per-token
 * rates the table itself gave (its cost of 1M tokens of each kind); any other (tiers, dated or
 * time-of-day prices) is priced by the table on every call, handed the narrowed provider.
 * null: the table has no price for the target.
 */
const known = new WeakMap<TargetPlan, Known | null>();
const M = 1_000_000;

function tableCost(target: TargetPlan, input: number, cacheRead: number, output: number, at: Date | undefined): number | undefined {
  let k = known.get(target);
  if (k === undefined) {
    k = lookUp(target);
    known.set(target, k);
  }
  if (k === null) return undefined;
  const r = k.rates;
  if (r) return r.base + input * r.input + cacheRead * r.cacheRead + output * r.output;
  return calc(target.model, { provider: k.provider, timestamp: at }, input, cacheRead, output);
}

function lookUp(target: TargetPlan): Known | null {
  const providerId = TABLE_PROVIDER[target.provider.type];
  const found = table().calcPrice({ input_tokens: 1, output_tokens: 1 }, target.model, providerId ? { providerId } : undefined);
  if (!found) return null;
  const provider: GenaiPrices.Provider = { ...found.provider, models: [found.model], fallback_model_providers: undefined };
  const prices = found.model.prices;
  const fixed = !Array.isArray(prices) && Object.values(prices).every((v) => v === undefined || typeof v === 'number');
  if (!fixed) return { provider };
  const at = (i: number, c: number, o: number) => calc(target.model, { provider }, i, c, o);
  const base = at(0, 0, 0);
  if (base === undefined) return { provider };
  const input = (at(M, 0, 0)! - base) / M;
  return { provider, rates: { base, input, cacheRead: (at(M, M, 0)! - base) / M - input, output: (at(0, 0, M)! - base) / M } };
}

/** The table's input_tokens is the total, cache reads included (it prices those apart). */
function calc(model: string, options: GenaiPrices.PriceOptions, input: number, cacheRead: number, output: number): number | undefined {
  return table().calcPrice({ input_tokens: input, output_tokens: output, cache_read_tokens: cacheRead || undefined }, model, options)?.total_price;
}

export interface UnpricedTarget {
  alias: string;
  provider: string;
  model: string;
}

/** Targets and fallbacks that have no price, for validate (each once per alias). */
export function unpricedTargets(plan: AiPlan): UnpricedTarget[] {
  const out: UnpricedTarget[] = [];
  const probe: Usage = { inputTokens: 1, outputTokens: 1 };
  for (const m of plan.models.values()) {
    const seen = new Set<string>();
    for (const t of [...m.balancer.peers.map((p) => p.target), ...m.fallbacks]) {
      const id = `${t.provider.name}\0${t.model}`;
      if (seen.has(id)) continue;
      seen.add(id);
      if (!priceCall(t, probe)) out.push({ alias: m.alias, provider: t.provider.name, model: t.model });
    }
  }
  return out;
}
