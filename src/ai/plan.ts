import type { Config } from '../config/schema.ts';
import { Balancer } from '../proxy/balancer.ts';
import { adapterFor } from './providers/index.ts';
import type { ProviderAdapter, ProviderType } from './providers/types.ts';
import type { AiRouteConfig, FallbackOn, PriceConfig, ProviderConfig } from './schema.ts';

/** A configured provider, with its adapter and its secrets read from the environment. */
export interface ProviderPlan {
  name: string;
  type: ProviderType;
  adapter: ProviderAdapter;
  baseUrl: string;
  /** Resolved secrets; never logged. */
  credentials: Readonly<Record<string, string>>;
  /** Required credential names whose environment variable is unset (validate reports them; a call fails closed). */
  missingCredentials: string[];
  options: Readonly<Record<string, string>>;
  timeouts: ProviderConfig['timeouts'];
}

export interface TargetPlan {
  provider: ProviderPlan;
  model: string;
  price?: PriceConfig;
  /** For fallbacks: which failures of the previous hop move the call here. */
  on?: readonly FallbackOn[];
}

export interface ModelPlan {
  alias: string;
  /** Weighted round-robin with passive health over the alias's targets (src/proxy/balancer.ts). */
  balancer: Balancer<TargetPlan>;
  fallbacks: TargetPlan[];
  contextWindow?: number;
  maxOutputTokens?: number;
  embeddings: boolean;
}

export interface AiRoutePlan {
  id: string;
  config: AiRouteConfig;
  /** Aliases served on this route (all of ai.models when the route does not list them). */
  models: ReadonlySet<string>;
}

export interface AiPlan {
  providers: ReadonlyMap<string, ProviderPlan>;
  models: ReadonlyMap<string, ModelPlan>;
  routes: ReadonlyMap<string, AiRoutePlan>;
}

/** A target ejected after this many failures in a row, for this long (as upstream peers are). */
const TARGET_HEALTH = { failures: 3, cooldownMs: 30_000 };

const plans = new WeakMap<Config, AiPlan>();

/**
 * The AI section compiled once per config revision: the pipeline's ai layer and the serving
 * step (src/ai/serve.ts) share this one plan (and so one balancer state per alias).
 * Cross-references (a target's provider exists, a route's models exist) are checked by
 * validate (src/ai/crossref.ts); here a dangling one is left out.
 */
export function aiPlan(config: Config, env: NodeJS.ProcessEnv = process.env): AiPlan {
  let plan = plans.get(config);
  if (!plan) {
    plan = compile(config, env);
    plans.set(config, plan);
  }
  return plan;
}

function compile(config: Config, env: NodeJS.ProcessEnv): AiPlan {
  const providers = new Map<string, ProviderPlan>();
  for (const [name, p] of Object.entries(config.ai.providers)) {
    const adapter = adapterFor(p.type);
    if (!adapter) continue;
    const credentials: Record<string, string> = {};
    for (const [key, secret] of Object.entries(p.credentials)) {
      const value = env[secret.env];
      if (value) credentials[key] = value;
    }
    const missingCredentials = adapter.credentials.required.filter((k) => credentials[k] === undefined);
    const options: Record<string, string> = {};
    for (const [k, v] of Object.entries(adapter.options ?? {})) if (v !== undefined) options[k] = v;
    Object.assign(options, p.options);
    const baseUrl = (p.baseUrl ?? defaultBaseUrl(adapter, options)).replace(/\/+$/, '');
    providers.set(name, { name, type: p.type, adapter, baseUrl, credentials, missingCredentials, options, timeouts: p.timeouts });
  }
  const models = new Map<string, ModelPlan>();
  for (const [alias, m] of Object.entries(config.ai.models)) {
    const targets = m.targets.flatMap((t) => {
      const provider = providers.get(t.provider);
      return provider ? [{ weight: t.weight, target: { provider, model: t.model, price: t.price } }] : [];
    });
    const fallbacks = m.fallbacks.flatMap((f) => {
      const provider = providers.get(f.provider);
      return provider ? [{ provider, model: f.model, price: f.price, on: f.on }] : [];
    });
    models.set(alias, { alias, balancer: new Balancer(targets, TARGET_HEALTH), fallbacks, contextWindow: m.contextWindow, maxOutputTokens: m.maxOutputTokens, embeddings: m.embeddings });
  }
  const routes = new Map<string, AiRoutePlan>();
  for (const r of config.routes) {
    if (r.serve !== 'ai' || !r.ai) continue;
    const served = r.ai.models ?? (r.ai.template ? [r.ai.template.model] : Object.keys(config.ai.models));
    routes.set(r.id, { id: r.id, config: r.ai, models: new Set(served) });
  }
  return { providers, models, routes };
}

/** A default base URL may name an option: Bedrock's is per region. */
function defaultBaseUrl(adapter: ProviderAdapter, options: Record<string, string>): string {
  const url = adapter.defaultBaseUrl ?? '';
  return url.replace(/\{(\w+)\}/g, (_, k: string) => options[k] ?? '');
}
