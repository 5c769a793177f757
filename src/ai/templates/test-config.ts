// Builds template routes the way the gateway does (config schema with its defaults, then the AI
// plan), for the tests of templates and of the OpenAPI export.
import { ConfigSchema, type Config, type ConfigInput } from '../../config/schema.ts';
import { aiPlan, type AiRoutePlan } from '../plan.ts';
import type { TemplateConfig } from '../schema.ts';

export type TemplateInput = Partial<Omit<TemplateConfig, 'output'>> & { output?: { mode: 'text' } | { mode: 'json'; schema: Record<string, unknown> } };

export function templateRoute(template: TemplateInput, id = 'summarize'): NonNullable<ConfigInput['routes']>[number] {
  return {
    id,
    serve: 'ai',
    paths: [`/templates/${id}`],
    methods: ['POST'],
    ai: { template: { version: 'v1', model: 'fast', prompt: 'Hello', variables: { type: 'object' }, ...template } as TemplateConfig },
  };
}

export function templateConfig(...templates: TemplateInput[]): Config {
  return ConfigSchema.parse({ routes: templates.map((t, i) => templateRoute(t, `t${i}`)) });
}

/** The plan route of a config with one template route. */
export function planRoute(template: TemplateInput): AiRoutePlan {
  const config = templateConfig(template);
  return aiPlan(config, {}).routes.get('t0')!;
}
