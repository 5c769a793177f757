import type { PathIssue } from '../config/issues.ts';
import { closest } from '../config/suggest.ts';
import { adapterFor } from './providers/index.ts';
import type { ProviderType } from './providers/types.ts';

type Obj = Record<string, unknown>;

/**
 * Cross-references of the AI section, on the parsed YAML (like src/config/crossref.ts):
 * a route with serve: ai has an ai: section and no service, and only such a route has one;
 * targets name configured providers and give the credentials their adapter needs; routes
 * and templates name configured aliases and budgets; chat and embeddings aliases stay apart.
 */
export function aiIssues(root: Obj): PathIssue[] {
  const ai = asObject(root.ai) ?? {};
  const providers = asObject(ai.providers) ?? {};
  const models = asObject(ai.models) ?? {};
  const budgets = asObject(ai.budgets) ?? {};
  const issues: PathIssue[] = [];
  for (const [name, p] of Object.entries(providers)) {
    const type = asObject(p)?.type;
    const adapter = typeof type === 'string' ? adapterFor(type as ProviderType) : undefined;
    if (!adapter) continue;
    const given = Object.keys(asObject(asObject(p)?.credentials) ?? {});
    const missing = adapter.credentials.required.filter((c) => !given.includes(c));
    if (missing.length) issues.push({ path: ['ai', 'providers', name, 'credentials'], message: `provider type ${type} needs credentials ${missing.map((m) => `${m}: { env: VARIABLE }`).join(', ')}`, target: 'key' });
    const known = [...adapter.credentials.required, ...(adapter.credentials.optional ?? [])];
    for (const c of given) if (!known.includes(c)) issues.push({ path: ['ai', 'providers', name, 'credentials', c], message: `provider type ${type} takes no credential "${c}" (it takes ${known.join(', ') || 'none'})`, target: 'key' });
    const options = Object.keys(adapter.options ?? {});
    for (const o of Object.keys(asObject(asObject(p)?.options) ?? {})) if (!options.includes(o)) issues.push({ path: ['ai', 'providers', name, 'options', o], message: `provider type ${type} has no option "${o}" (options: ${options.join(', ') || 'none'})`, target: 'key' });
    if (asObject(p)?.baseUrl === undefined) {
      if (adapter.defaultBaseUrl === undefined) issues.push({ path: ['ai', 'providers', name], message: `provider type ${type} has no default address: give baseUrl`, target: 'key' });
      // A default address built from an option (Bedrock's region) needs that option.
      const given = asObject(asObject(p)?.options) ?? {};
      for (const [, option] of (adapter.defaultBaseUrl ?? '').matchAll(/\{(\w+)\}/g)) {
        if (given[option] === undefined && adapter.options?.[option] === undefined) issues.push({ path: ['ai', 'providers', name, 'options'], message: `provider type ${type} needs options.${option} (its address depends on it), or a baseUrl`, target: 'key' });
      }
    }
  }
  for (const [alias, m] of Object.entries(models)) {
    const model = asObject(m) ?? {};
    for (const list of ['targets', 'fallbacks'] as const) {
      asArray(model[list]).forEach((t, j) => {
        const provider = asObject(t)?.provider;
        if (typeof provider === 'string' && !Object.hasOwn(providers, provider)) issues.push({ path: ['ai', 'models', alias, list, j, 'provider'], message: unknown('provider', provider, Object.keys(providers), 'ai.providers'), target: 'value' });
      });
    }
  }
  asArray(root.routes).forEach((item, i) => {
    const route = asObject(item);
    if (!route) return;
    const section = asObject(route.ai);
    if (route.serve !== 'ai') {
      if (section) issues.push({ path: ['routes', i, 'ai'], message: 'an ai: section needs serve: ai on the route', target: 'key' });
      return;
    }
    if (!section) {
      issues.push({ path: ['routes', i, 'serve'], message: 'serve: ai needs an ai: section (api, models or template)', target: 'value' });
      return;
    }
    const template = asObject(section.template);
    asArray(section.models).forEach((alias, j) => {
      if (typeof alias === 'string' && !Object.hasOwn(models, alias)) issues.push({ path: ['routes', i, 'ai', 'models', j], message: unknown('model alias', alias, Object.keys(models), 'ai.models'), target: 'value' });
    });
    if (template && typeof template.model === 'string') {
      if (!Object.hasOwn(models, template.model)) issues.push({ path: ['routes', i, 'ai', 'template', 'model'], message: unknown('model alias', template.model, Object.keys(models), 'ai.models'), target: 'value' });
      else if (asObject(models[template.model])?.embeddings === true) issues.push({ path: ['routes', i, 'ai', 'template', 'model'], message: `model alias "${template.model}" is an embeddings model; a template needs a chat model`, target: 'value' });
    }
    asArray(section.budgets).forEach((b, j) => {
      if (typeof b === 'string' && !Object.hasOwn(budgets, b)) issues.push({ path: ['routes', i, 'ai', 'budgets', j], message: unknown('budget', b, Object.keys(budgets), 'ai.budgets'), target: 'value' });
    });
  });
  // Alert rules that narrow to an alias or a provider name ones that exist.
  asArray(asObject(root.alerts)?.rules).forEach((rule, i) => {
    const requests = asObject(asObject(rule)?.requests) ?? {};
    if (typeof requests.alias === 'string' && !Object.hasOwn(models, requests.alias)) issues.push({ path: ['alerts', 'rules', i, 'requests', 'alias'], message: unknown('model alias', requests.alias, Object.keys(models), 'ai.models'), target: 'value' });
    if (typeof requests.provider === 'string' && !Object.hasOwn(providers, requests.provider)) issues.push({ path: ['alerts', 'rules', i, 'requests', 'provider'], message: unknown('provider', requests.provider, Object.keys(providers), 'ai.providers'), target: 'value' });
  });
  return issues;
}

function unknown(what: string, name: string, names: string[], where: string): string {
  const guess = closest(name, names);
  return `${what} "${name}" is not defined under ${where} (${names.length ? `defined: ${names.join(', ')}` : 'none are defined'})${guess ? `; did you mean "${guess}"?` : ''}`;
}

function asObject(v: unknown): Obj | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
}

function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
