import type { Config } from '../config/schema.ts';
import { aiPlan } from './plan.ts';
import { unpricedTargets } from './usage/price.ts';

/**
 * What validate says about a valid config's AI section that is not an error: a model without a
 * price (its calls are logged as unpriced and charge no spend budget: never costed at zero
 * silently), and a provider whose secret is not in this environment (its calls fail closed
 * with ai.provider_refused until it is).
 */
export function aiNotes(config: Config, env: NodeJS.ProcessEnv): string[] {
  if (Object.keys(config.ai.models).length === 0) return [];
  const plan = aiPlan(config, env);
  const notes: string[] = [];
  for (const p of plan.providers.values()) {
    for (const name of p.missingCredentials) {
      const variable = config.ai.providers[p.name].credentials[name]?.env;
      notes.push(`ai.providers.${p.name}: credential ${name} is not set (environment variable ${variable ?? '(none configured)'} is empty): its calls will fail with ai.provider_refused`);
    }
  }
  for (const u of unpricedTargets(plan)) {
    notes.push(`ai.models.${u.alias}: ${u.provider}/${u.model} has no price (not in the price table, no price override): its calls are logged as unpriced and charge no spend budget`);
  }
  return notes;
}
