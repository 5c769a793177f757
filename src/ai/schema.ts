/**
 * The AI gateway's config: providers (where calls go, with which credentials), models (public
 * aliases mapped to provider models with weights and fallbacks), and, from the ai layer
 * (src/layers/ai/schema.ts), budgets. Routes opt in with `serve: ai` and an `ai:` section.
 */
import { z } from 'zod';
import { aiRouteShape, aiTopShape } from '../layers/ai/schema.ts';
import { PROVIDER_TYPES } from './providers/types.ts';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const ENV = /^[A-Za-z_][A-Za-z0-9_]*$/;

const Secret = z.strictObject({
  env: z.string().regex(ENV, 'an environment variable name').describe('Environment variable that holds the secret. The value never appears in config, logs, traces or errors.'),
});

const Provider = z.strictObject({
  type: z.enum(PROVIDER_TYPES).describe('The provider\'s API: openai, azure-openai, openai-compatible (vLLM, Mistral, Groq, DeepSeek, OpenRouter...), ollama, anthropic, gemini, bedrock.'),
  baseUrl: z.string().regex(/^https?:\/\/[^\s]+$/, 'a base URL is http(s)://host[:port][/path]').optional().describe('Base URL of the provider\'s API; each type has a default except azure-openai and openai-compatible.'),
  credentials: z
    .record(z.string().regex(/^[A-Za-z]+$/), Secret)
    .default({})
    .describe('Secrets by name: apiKey (most providers); accessKeyId, secretAccessKey, sessionToken (bedrock).'),
  options: z.record(z.string().regex(/^[A-Za-z]+$/), z.string()).default({}).describe('Provider settings: apiVersion (azure-openai), region (bedrock), version (anthropic).'),
  timeouts: z
    .strictObject({
      connectMs: z.number().int().positive().default(5_000).describe('Time to connect.'),
      firstByteMs: z.number().int().positive().default(60_000).describe('Time from sending the call to the provider\'s response headers.'),
      idleMs: z.number().int().positive().default(60_000).describe('Longest silence between two chunks of an answer.'),
    })
    .prefault({})
    .describe('Time limits of each call to this provider; exceeding one is 504 ai.provider_timeout (or the next fallback).'),
});

const Price = z.strictObject({
  inputPerMTokUsd: z.number().min(0).describe('US dollars per million input tokens.'),
  outputPerMTokUsd: z.number().min(0).describe('US dollars per million output tokens.'),
  cachedInputPerMTokUsd: z.number().min(0).optional().describe('US dollars per million cached input tokens (default: the input price).'),
});

/** Named conditions that move a call to the next fallback. */
export const FALLBACK_ON = ['rate_limited', 'server_error', 'timeout', 'connect_error', 'refused'] as const;
export type FallbackOn = (typeof FALLBACK_ON)[number];

const Target = z.strictObject({
  provider: z.string().regex(NAME).describe('A provider under ai.providers.'),
  model: z.string().min(1).describe('The provider\'s model id (for azure-openai, the deployment name).'),
  weight: z.number().int().min(1).max(1000).default(1).describe('Share of calls among the alias\'s targets (weighted round-robin).'),
  price: Price.optional().describe('Price override; default: the maintained price table (@pydantic/genai-prices). A model with neither is flagged by validate and in the log.'),
});

const Fallback = Target.omit({ weight: true }).extend({
  on: z
    .array(z.enum(FALLBACK_ON))
    .min(1)
    .default(['rate_limited', 'server_error', 'timeout', 'connect_error'])
    .describe('Failures of the previous hop that move the call here: rate_limited (429), server_error (5xx), timeout, connect_error, refused (401/403 from the provider).'),
});

const Model = z.strictObject({
  targets: z.array(Target).min(1).describe('Where calls to this alias go; one is picked by weight.'),
  fallbacks: z.array(Fallback).default([]).describe('Tried in order when the picked target fails before any byte was sent to the client. Nothing is retried once a stream has started.'),
  contextWindow: z.number().int().positive().optional().describe('Tokens of input the model accepts; a larger prompt is refused before any call (400 ai.context_too_long).'),
  maxOutputTokens: z.number().int().positive().optional().describe('Most output tokens a call may ask for; also the reservation for a call that sets no limit.'),
  embeddings: z.boolean().default(false).describe('This alias is an embeddings model (served on /embeddings, not chat).'),
});

const JsonSchemaObject = z.record(z.string(), z.unknown());

const Template = z.strictObject({
  version: z.string().min(1).describe('Recorded with every call, so a change of wording can be traced.'),
  model: z.string().min(1).describe('The model alias (ai.models) the template calls.'),
  system: z.string().optional().describe('System message; may use {{variables}}.'),
  prompt: z.string().min(1).describe('The user message, with {{variable}} placeholders (no code runs in a template).'),
  variables: JsonSchemaObject.describe('JSON Schema of the request body (an object of the variables); an invalid body is 422 ai.template_invalid pointing at the field.'),
  output: z
    .discriminatedUnion('mode', [
      z.strictObject({ mode: z.literal('text') }),
      z.strictObject({ mode: z.literal('json'), schema: JsonSchemaObject.describe('JSON Schema the model\'s output must satisfy (else 502 ai.output_invalid).') }),
    ])
    .default({ mode: 'text' })
    .describe('text: the answer is {"output": "..."}; json: the model is asked for JSON and its output is validated.'),
  maxOutputTokens: z.number().int().positive().optional().describe('Output token limit of each call.'),
  temperature: z.number().min(0).max(2).optional().describe('Sampling temperature of each call (the provider\'s default when absent).'),
});

export const AI_APIS = ['openai', 'anthropic'] as const;

const AiRoute = z
  .strictObject({
    api: z.enum(AI_APIS).default('openai').describe('The API clients speak on this route: openai (paths ending /chat/completions, /embeddings, /responses) or anthropic (paths ending /messages). Errors use that API\'s error envelope.'),
    models: z.array(z.string().min(1)).min(1).optional().describe('Model aliases served on this route; absent: every alias under ai.models.'),
    template: Template.optional().describe('Serve a prompt template as a plain REST endpoint instead of a provider API: POST the variables, get the output.'),
    ...aiRouteShape,
  })
  .describe('What an AI route (serve: ai) serves.');

export type AiRouteConfig = z.output<typeof AiRoute>;
export type TemplateConfig = z.output<typeof Template>;
export type ModelConfig = z.output<typeof Model>;
export type ProviderConfig = z.output<typeof Provider>;
export type PriceConfig = z.output<typeof Price>;

export const routeShape = {
  ai: AiRoute.optional(),
};

export const topShape = {
  ai: z
    .strictObject({
      providers: z.record(z.string().regex(NAME), Provider).default({}).describe('Model providers by name.'),
      models: z.record(z.string().regex(NAME), Model).default({}).describe('Public model aliases that clients name in their calls.'),
      ...aiTopShape,
    })
    .prefault({})
    .describe('The AI gateway: providers, model aliases, budgets.'),
};
