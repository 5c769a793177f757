import { dialectFor } from './dialects/index.ts';
import { AiRequestError, type Dialect, type ParsedCall } from './dialects/types.ts';
import type { AiRoutePlan } from './plan.ts';
import { templateFor } from './templates/index.ts';

export interface ParsedAiCall {
  /** The client's dialect; absent on a prompt-template route (plain REST). */
  dialect?: Dialect;
  call: ParsedCall;
  /** On a template route: which template version rendered the call. */
  template?: { route: string; version: string };
}

/**
 * A client's call on an AI route, in the canonical shape: through the dialect its API and
 * path name (…/chat/completions, …/embeddings, …/responses, …/messages), or, on a template
 * route, by rendering the template with the body's variables. Throws AiRequestError (a
 * template's is an AiTemplateError) with the JSON path of what is wrong.
 */
export function parseAiCall(plan: AiRoutePlan, path: string, json: unknown): ParsedAiCall {
  if (plan.config.template) {
    const t = templateFor(plan);
    return { call: { operation: 'chat', request: t.render(json) }, template: { route: t.route, version: t.version } };
  }
  const dialect = dialectFor(plan.config.api, path);
  if (!dialect) throw new AiRequestError('', `${path} is not an endpoint of the ${plan.config.api} API served here (${ENDPOINTS[plan.config.api]})`);
  return { dialect, call: dialect.parse(json) };
}

const ENDPOINTS: Record<AiRoutePlan['config']['api'], string> = {
  openai: 'paths ending /chat/completions, /embeddings or /responses',
  anthropic: 'paths ending /messages',
};
