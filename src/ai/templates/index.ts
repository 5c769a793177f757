/**
 * Prompt templates served as plain REST endpoints (issue 9, item 4): a route's `ai.template`
 * turns a POSTed JSON object of variables into one chat call, and the model's answer into a
 * JSON answer. Compiled once per config revision; every problem of a template (a schema that
 * does not compile, a placeholder naming no declared variable) is a config error at load.
 */
import type { Config } from '../../config/schema.ts';
import type { PathIssue } from '../../config/issues.ts';
import type { FieldError } from '../../layers/body/validate.ts';
import { AiRequestError } from '../dialects/types.ts';
import type { AiPlan, AiRoutePlan } from '../plan.ts';
import type { TemplateConfig } from '../schema.ts';
import type { ChatRequest, ChatResponse, Message, Usage } from '../types.ts';
import { compileTemplate, type TemplateCore, type TemplateProblem } from './compile.ts';
import { fill } from './placeholders.ts';
import { at, jsonOutput, outputText, type OutputResult } from './output.ts';

export type { FieldError } from '../../layers/body/validate.ts';
export type { OutputResult } from './output.ts';

/**
 * The body of a template route's 200 answer:
 *
 *   { "output": ..., "model": "<alias>", "template": { "route": "<route id>", "version": "<version>" },
 *     "usage": { "inputTokens": n, "outputTokens": n, "cachedInputTokens"?: n, "reasoningTokens"?: n, "estimated"?: true },
 *     "finishReason": "stop" | "length" | ..., "request_id": "<request id>" }
 *
 * - output: the model's text (output mode text) or the parsed JSON value that matched the
 *   output schema (mode json).
 * - model: the alias the template names (ai.models), never the provider's model.
 * - template: which route and template version answered (also recorded in the call log).
 * - usage: the call's tokens, absent when neither the provider nor the gateway counted them
 *   (the serving step puts its own count, marked estimated, into resp.usage first).
 * - finishReason: why the model stopped; "length" means a text output was cut at maxOutputTokens.
 * - request_id: the gateway's request id, the member of the same name in problem responses.
 */
export interface TemplateAnswer {
  output: unknown;
  model: string;
  template: { route: string; version: string };
  usage?: Usage;
  finishReason: ChatResponse['finishReason'];
  request_id: string;
}

export interface CompiledTemplate {
  /** The route id. */
  readonly route: string;
  /** The template's version, recorded with every call. */
  readonly version: string;
  /** The model alias the template calls. */
  readonly model: string;
  readonly mode: 'text' | 'json';
  /**
   * The chat call for a request body: validated against the variables schema (throws
   * AiTemplateError: 422 ai.template_invalid), placeholders filled, system then user message,
   * the template's maxOutputTokens and temperature, a JSON response format in json mode.
   */
  render(body: unknown): ChatRequest;
  /** The model's output: its text (text mode), or its JSON parsed and checked against the output schema (json mode). */
  output(resp: ChatResponse): OutputResult;
  /**
   * The 200 body (TemplateAnswer) of an answer whose output() is ok; throws Error on one that is
   * not (call output() first: an unusable output is 502 ai.output_invalid, not an answer).
   */
  answer(resp: ChatResponse, requestId: string): TemplateAnswer;
}

/**
 * A body that does not satisfy the variables schema. `path` (and `message`) are the first
 * error's; `errors` lists them all (at most 20), each with its RFC 6901 JSON pointer
 * ('/items/2/name'; '' for the body itself), for the 422 problem.
 */
export class AiTemplateError extends AiRequestError {
  constructor(readonly errors: FieldError[]) {
    super(errors[0].pointer, `${at(errors[0].pointer, 'the body')} ${errors[0].message}`);
    this.name = 'AiTemplateError';
  }
}

/** Templates of a plan that do not compile; validate reports the same problems with their lines (templateIssues). */
export class TemplateConfigError extends Error {
  constructor(readonly problems: { route: string; path: (string | number)[]; message: string }[]) {
    super(problems.map((p) => `route ${p.route}: ai.template.${p.path.join('.')}: ${p.message}`).join('\n'));
    this.name = 'TemplateConfigError';
  }
}

/** Every template problem of a config, at its config path (routes[i].ai.template...), for validate. */
export function templateIssues(config: Config): PathIssue[] {
  const issues: PathIssue[] = [];
  config.routes.forEach((r, i) => {
    const t = r.serve === 'ai' ? r.ai?.template : undefined;
    if (!t) return;
    for (const p of problemsOf(t)) issues.push({ path: ['routes', i, 'ai', 'template', ...p.path], message: p.message, target: 'value' });
  });
  return issues;
}

/** Compiles every template route of a plan at load; throws TemplateConfigError naming each problem. */
export function compileTemplates(plan: AiPlan): void {
  const problems: TemplateConfigError['problems'] = [];
  for (const route of plan.routes.values()) {
    if (!route.config.template) continue;
    for (const p of problemsOf(route.config.template)) problems.push({ route: route.id, ...p });
  }
  if (problems.length) throw new TemplateConfigError(problems);
}

const byRoute = new WeakMap<AiRoutePlan, CompiledTemplate>();

/** The compiled template of a template route (compiled once per config revision). */
export function templateFor(route: AiRoutePlan): CompiledTemplate {
  let t = byRoute.get(route);
  if (!t) {
    const config = route.config.template;
    if (!config) throw new Error(`route ${route.id} has no ai.template`);
    const c = compileTemplate(config);
    if (!c.ok) throw new TemplateConfigError(c.problems.map((p) => ({ route: route.id, ...p })));
    t = build(route.id, config, c.core);
    byRoute.set(route, t);
  }
  return t;
}

function problemsOf(t: TemplateConfig): TemplateProblem[] {
  const c = compileTemplate(t);
  return c.ok ? [] : c.problems;
}

/** OpenAI's rule for a response format's name (the strictest of the providers'). */
function formatName(routeId: string): string {
  return routeId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);
}

function build(route: string, t: TemplateConfig, core: TemplateCore): CompiledTemplate {
  const output = (resp: ChatResponse): OutputResult => (core.output ? jsonOutput(resp, core.output) : { ok: true, value: outputText(resp) });
  return {
    route,
    version: t.version,
    model: t.model,
    mode: t.output.mode,
    render(body) {
      const errors = core.variables(body);
      if (errors.length) throw new AiTemplateError(errors);
      const messages: Message[] = [];
      if (core.system) messages.push({ role: 'system', parts: [{ type: 'text', text: fill(core.system, body) }] });
      messages.push({ role: 'user', parts: [{ type: 'text', text: fill(core.prompt, body) }] });
      const req: ChatRequest = { model: t.model, messages, stream: false };
      if (t.maxOutputTokens !== undefined) req.maxOutputTokens = t.maxOutputTokens;
      if (t.temperature !== undefined) req.temperature = t.temperature;
      if (t.output.mode === 'json') req.responseFormat = { type: 'json', schema: t.output.schema, name: formatName(route) };
      return req;
    },
    output,
    answer(resp, requestId) {
      const out = output(resp);
      if (!out.ok) throw new Error(`route ${route}: answer() of an unusable output (${out.message}); check output() first`);
      const usage = resp.usage ? { usage: { ...resp.usage } } : {};
      return { output: out.value, model: t.model, template: { route, version: t.version }, ...usage, finishReason: resp.finishReason, request_id: requestId };
    },
  };
}
