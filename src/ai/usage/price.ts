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

export function priceCall(target: TargetPlan, usage: Usage): Priced | undefined {
  const cached = Math.min(usage.cachedInputTokens ?? 0, usage.inputTokens);
  const o = target.price;
  if (o) {
    const fresh = usage.inputTokens - cached;
    const costUsd = (fresh * o.inputPerMTokUsd + cached * (o.cachedInputPerMTokUsd ?? o.inputPerMTokUsd) + usage.outputTokens * o.outputPerMTokUsd) / PER_MTOK;
    return { costUsd, source: 'override' };
  }
  const r = tablePrice(target, { input_tokens: usage.inputTokens, output_tokens: usage.outputTokens, cache_read_tokens: cached || undefined });
  return r ? { costUsd: r.total_price, source: 'table' } : undefined;
}

type TableUsage = Parameters<Prices['calcPrice']>[0];

/**
 * Where the table found each target's model. A full lookup walks the table's providers and
 * then every model's match rules (hundreds of lower-cased string tests): the first call of a
 * target does it, later ones hand the table a provider narrowed to that one model, so the
 * table's own code still does the pricing (tiers, dated prices, cache reads) on every call.
 * null: the table has no price for the target.
 */
const found = new WeakMap<TargetPlan, GenaiPrices.Provider | null>();

function tablePrice(target: TargetPlan, usage: TableUsage): ReturnType<Prices['calcPrice']> {
  const known = found.get(target);
  if (known === null) return null;
  if (known) {
    const r = table().calcPrice(usage, target.model, { provider: known });
    if (r) return r;
  }
  const providerId = TABLE_PROVIDER[target.provider.type];
  // The table's input_tokens is the total, cache reads included (it prices those apart).
  const r = table().calcPrice(usage, target.model, providerId ? { providerId } : undefined);
  found.set(target, r ? { ...r.provider, models: [r.model], fallback_model_providers: undefined } : null);
  return r;
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
