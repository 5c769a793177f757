import type { Config } from '../config/schema.ts';
import { aiPlan } from './plan.ts';
import { adapterFor } from './providers/index.ts';
import { unpricedTargets } from './usage/price.ts';

/**
 * What validate says about a valid config's AI section that is not an error: a model without a
 * price (its calls are logged as unpriced and charge no spend budget: never costed at zero
 * silently), and a provider whose secret is not in this environment (its calls fail closed
 * with ai.provider_refused until it is).
 */
export function aiNotes(config: Config, env: NodeJS.ProcessEnv): string[] {
  if (Object.keys(config.ai.models).length === 0) return [];
  const notes: string[] = [];
  // Read from `env` here, not from the compiled plan: the plan holds the gateway's own environment.
  for (const [name, p] of Object.entries(config.ai.providers)) {
    for (const credential of adapterFor(p.type)?.credentials.required ?? []) {
      const variable = p.credentials[credential]?.env;
      if (variable && !env[variable]) notes.push(`ai.providers.${name}: credential ${credential} is not set (environment variable ${variable} is empty): its calls will fail with ai.provider_refused`);
    }
  }
  const plan = aiPlan(config);
  for (const u of unpricedTargets(plan)) {
    notes.push(`ai.models.${u.alias}: ${u.provider}/${u.model} has no price (not in the price table, no price override): its calls are logged as unpriced and charge no spend budget`);
  }
  return notes;
}
