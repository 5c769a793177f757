/**
 * AI routes (serve: ai) in the OpenAPI document: a prompt template is a plain REST operation
 * (its variables schema as the body, the answer object back, 422 for bad variables); a route
 * that speaks a provider API lists that API's endpoints, and refuses in its error envelope.
 */
import type { Config, RouteConfig } from '../config/schema.ts';
import type { TemplateConfig } from '../ai/schema.ts';
import type { Components } from './components.ts';
import type { Endpoint } from './endpoint.ts';
import { requestIdHeader, schemaRef } from './problems.ts';

interface ApiEndpoint {
  /** The path ending that selects this endpoint. */
  suffix: string;
  name: string;
  docs: string;
  required: string[];
  /** Answers as server-sent events with "stream": true. */
  streams: boolean;
  embeddings: boolean;
}

const APIS: Record<'openai' | 'anthropic', { name: string; endpoints: ApiEndpoint[] }> = {
  openai: {
    name: 'the OpenAI API',
    endpoints: [
      { suffix: 'chat/completions', name: 'OpenAI Chat Completions', docs: 'https://platform.openai.com/docs/api-reference/chat/create', required: ['model', 'messages'], streams: true, embeddings: false },
      { suffix: 'embeddings', name: 'OpenAI Embeddings', docs: 'https://platform.openai.com/docs/api-reference/embeddings/create', required: ['model', 'input'], streams: false, embeddings: true },
      { suffix: 'responses', name: 'OpenAI Responses', docs: 'https://platform.openai.com/docs/api-reference/responses/create', required: ['model'], streams: true, embeddings: false },
    ],
  },
  anthropic: {
    name: 'the Anthropic API',
    endpoints: [{ suffix: 'messages', name: 'Anthropic Messages', docs: 'https://docs.anthropic.com/en/api/messages', required: ['model', 'messages', 'max_tokens'], streams: true, embeddings: false }],
  },
};

export function aiEndpoints(config: Config, route: RouteConfig, c: Components): Endpoint[] {
  const ai = route.ai;
  if (!ai) return [];
  const budgets = ai.budgets ? [503] : [];
  if (ai.template) return route.paths.map((pattern) => templateEndpoint(route, ai.template!, pattern, c, budgets));
  const api = APIS[ai.api];
  const models = (embeddings: boolean) => (ai.models ?? Object.keys(config.ai.models)).filter((m) => (config.ai.models[m]?.embeddings ?? false) === embeddings).sort();
  return route.paths.flatMap((pattern): Endpoint[] => {
    const base = { method: 'post', flavor: ai.api, tag: 'ai', statuses: [400, 404, 429, 502, 504, ...budgets] };
    const named = api.endpoints.find((e) => pattern.replace(/\/+$/, '').endsWith('/' + e.suffix));
    const chosen = named ? [{ e: named, pattern }] : pattern.endsWith('/*') ? api.endpoints.map((e) => ({ e, pattern: pattern.slice(0, -1) + e.suffix })) : [];
    if (!chosen.length) {
      const names = api.endpoints.map((e) => `/${e.suffix}`).join(', ');
      return [{ ...base, pattern, summary: `Speaks ${api.name}`, description: `Speaks ${api.name} (route ${route.id}); the endpoint is chosen by the path's ending: ${names}.`, success: { '200': { description: 'The API\'s answer.', headers: requestIdHeader() } } }];
    }
    return chosen.map(({ e, pattern }) => ({
      ...base,
      pattern,
      summary: e.name,
      description: `Speaks the ${e.name} API (route ${route.id}): point the official SDK's base URL at the gateway and use a Pinpoint key. Models: ${models(e.embeddings).join(', ') || 'none'}.`,
      externalDocs: { description: `The ${e.name} API reference`, url: e.docs },
      requestBody: { required: true, content: { 'application/json': { schema: dialectBody(e, models(e.embeddings)) } } },
      success: { '200': dialectSuccess(e) },
    }));
  });
}

function dialectBody(e: ApiEndpoint, models: string[]): Record<string, unknown> {
  const model: Record<string, unknown> = { type: 'string', description: 'A model alias served on this route.' };
  if (models.length) model.enum = models;
  return { type: 'object', description: `A request of the ${e.name} API.`, required: e.required, properties: { model }, additionalProperties: true };
}

function dialectSuccess(e: ApiEndpoint): Record<string, unknown> {
  const content: Record<string, unknown> = { 'application/json': { schema: { type: 'object', description: `An answer of the ${e.name} API.` } } };
  if (e.streams) content['text/event-stream'] = { schema: { type: 'string', description: `With "stream": true: the ${e.name} API's server-sent events; a failure mid-stream is its own error event.` } };
  return { description: `The ${e.name} answer.`, headers: requestIdHeader(), content };
}

function templateEndpoint(route: RouteConfig, t: TemplateConfig, pattern: string, c: Components, budgets: number[]): Endpoint {
  const id = route.id;
  const variables = c.configSchema(`${id}.variables`, t.variables);
  const output = t.output.mode === 'json' ? c.configSchema(`${id}.output`, t.output.schema) : { type: 'string', description: 'The model\'s text.' };
  c.schema('Usage', USAGE);
  const answer = c.schema(`${id}.answer`, {
    type: 'object',
    description: `The answer of template route ${id} (src/ai/templates: TemplateAnswer).`,
    required: ['output', 'model', 'template', 'finishReason', 'request_id'],
    properties: {
      output,
      model: { const: t.model, description: 'The model alias the template calls.' },
      template: { type: 'object', required: ['route', 'version'], properties: { route: { const: id }, version: { const: t.version } } },
      usage: schemaRef('Usage'),
      finishReason: { enum: ['stop', 'length', 'tool_calls', 'content_filter', 'error'], description: 'Why the model stopped; length: a text output was cut at the token limit.' },
      request_id: { type: 'string', description: 'The gateway\'s id of this request.' },
    },
  });
  const mode = t.output.mode === 'json' ? `JSON that matches ${id}.output (else 502 ai.output_invalid)` : 'text';
  return {
    pattern,
    method: 'post',
    flavor: 'template',
    tag: 'templates',
    summary: `Prompt template ${id}`,
    description: `Prompt template ${id} (version ${t.version}) on the model alias ${t.model}: POST its variables, get the model's output as ${mode}. Invalid variables are 422 ai.template_invalid, with the JSON pointer of every failing field.`,
    requestBody: { required: true, content: { 'application/json': { schema: variables } } },
    success: { '200': { description: 'The model\'s output.', headers: requestIdHeader(), content: { 'application/json': { schema: answer } } } },
    statuses: [400, 422, 429, 502, 504, ...budgets],
  };
}

const USAGE = {
  type: 'object',
  description: 'The tokens of a call.',
  required: ['inputTokens', 'outputTokens'],
  properties: {
    inputTokens: { type: 'integer', minimum: 0, description: 'All input tokens, cached ones included.' },
    outputTokens: { type: 'integer', minimum: 0 },
    cachedInputTokens: { type: 'integer', minimum: 0, description: 'Of the input tokens, those read from the provider\'s prompt cache.' },
    reasoningTokens: { type: 'integer', minimum: 0, description: 'Of the output tokens, those spent on reasoning.' },
    estimated: { type: 'boolean', description: 'The gateway counted the tokens itself (the provider sent no usage).' },
  },
};
