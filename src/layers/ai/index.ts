import type { AiCallState, AiEstimate } from '../../ai/call-state.ts';
import { AiRequestError } from '../../ai/dialects/types.ts';
import { parseAiCall, type ParsedAiCall } from '../../ai/parse.ts';
import type { ModelPlan } from '../../ai/plan.ts';
import { AiTemplateError } from '../../ai/templates/index.ts';
import { countChatTokens, countEmbeddingsTokens, loadTokenizer } from '../../ai/usage/estimate.ts';
import { priceCall } from '../../ai/usage/price.ts';
import type { Config } from '../../config/schema.ts';
import type { EvalContext, Layer, LayerResult } from '../../pipeline/types.ts';
import { SKIP } from '../../pipeline/types.ts';
import type { CheckResult, LimitBackend } from '../limits/backend.ts';
import { compileLimits } from '../limits/compile.ts';
import type { LimitsDeps } from '../limits/deps.ts';
import { MemoryBackend } from '../limits/memory-backend.ts';
import { budgetCells, micros, overWholeLimit, settler, type BudgetCells } from './budgets.ts';
import { compileAiLayer, type AiLayerPlan, type AiRouteLayerPlan } from './compile.ts';
import * as deny from './denials.ts';
import { modelRefusal } from './models.ts';

/**
 * What a call reserves as output when it sets no limit and its model has no maxOutputTokens
 * (OpenAI's clients often omit it): a common default of providers, never more than the room
 * left in the context window. Settling with the real usage corrects it.
 */
export const DEFAULT_OUTPUT_RESERVE = 4_096;

/**
 * The ai layer: on AI routes (serve: ai) it parses the call (the route's dialect, or its
 * prompt template), resolves the model alias, applies the model allow-lists, counts the prompt,
 * checks the context window, and checks and charges the route's budgets through the limits
 * counters (memory or Redis, as limits.backend says), reserving the call's estimate. It leaves
 * the result on ctx.ai for the serving step, with settle() to reconcile the reservation.
 *
 * Last in the pipeline and marked callsOut: it never runs (never charges) once an earlier
 * layer refused. In a dry run (explain) it charges nothing and says which budget would refuse.
 * Undefined for a config without AI routes, so that one pays nothing.
 */
export function aiLayer(config: Config, deps?: LimitsDeps): Layer | undefined {
  if (!config.routes.some((r) => r.serve === 'ai')) return undefined;
  const limits = compileLimits(config, process.env);
  const plan = compileAiLayer(config, limits.prefix);
  if (plan.routes.size === 0) return undefined;
  // Loaded now (about half a second, once per process) rather than by the first call.
  loadTokenizer();
  const backend: LimitBackend = !deps ? new MemoryBackend() : limits.backend === 'redis' ? deps.redis(limits.redis) : deps.memory;
  const clock = deps?.clock ?? Date.now;
  const report = deps?.report ?? (() => {});
  return {
    name: 'ai',
    callsOut: true,
    needsBody: (route) => plan.routes.has(route.id),
    evaluate(ctx: EvalContext): LayerResult | Promise<LayerResult> {
      const route = ctx.route;
      if (!route) return SKIP;
      const r = plan.routes.get(route.id);
      if (!r) return undefined;
      const site = { routeId: route.id, routeIndex: r.index };
      const json = bodyJson(ctx);
      if (json === NOT_JSON) return deny.requestInvalid(site, '', ctx.body?.bytes.length ? 'the body is not JSON' : 'the request has no body (a JSON call is expected)');
      let parsed: ParsedAiCall;
      try {
        parsed = parseAiCall(r.ai, ctx.req.path, json);
      } catch (err) {
        if (err instanceof AiTemplateError) return deny.templateInvalid(site, err.errors, r.ai.config.template!.version);
        if (err instanceof AiRequestError) return deny.requestInvalid(site, err.path, err.message);
        throw err;
      }
      const call = parsed.call;
      const alias = call.request.model;
      const model = plan.ai.models.get(alias);
      if (!model) return deny.modelUnknown(site, alias, [...plan.ai.models.keys()]);
      // Allow-lists first: a caller learns nothing about an alias it may not use, not even its kind.
      const refused = modelRefusal(plan, r, site, ctx.identity, alias);
      if (refused) return refused;
      if (model.embeddings !== (call.operation === 'embeddings')) return deny.wrongOperation(site, alias, model.embeddings);

      const asked = call.operation === 'chat' ? call.request.maxOutputTokens : undefined;
      if (asked !== undefined && model.maxOutputTokens !== undefined && asked > model.maxOutputTokens) return deny.outputOverModel(site, alias, asked, model.maxOutputTokens);
      // Counting the prompt is the layer's dearest step: done only where a context window or a
      // budget needs it (serving counts later, should the provider send no usage).
      const w = model.contextWindow;
      const counted = w !== undefined || r.budgets.length > 0;
      const inputTokens = !counted ? 0 : call.operation === 'chat' ? countChatTokens(call.request) : countEmbeddingsTokens(call.request);
      if (w !== undefined && inputTokens + (asked ?? 0) > w) return deny.contextTooLong(site, alias, inputTokens, asked, w);
      const estimate = estimateOf(model, call.operation, inputTokens, asked, r.budgets.some((b) => b.spend));
      if (!counted) estimate.counted = false;
      const state: AiCallState = { route: r.ai, dialect: parsed.dialect, call, alias, model, template: parsed.template, estimate, warnings: [] };
      ctx.ai = state;
      return budgets(plan, r, ctx, state, site);
    },
  };

  function budgets(plan: AiLayerPlan, r: AiRouteLayerPlan, ctx: EvalContext, state: AiCallState, site: deny.Site): LayerResult | Promise<LayerResult> {
    const now = clock();
    const e = state.estimate;
    const tokens = e.inputTokens + e.maxOutputTokens;
    const b = budgetCells(r, ctx.identity, now, tokens, e.costUsd);
    if (b.uncosted.length) {
      state.unpriced = true;
      state.warnings.push(`model ${state.alias} has no price: spend budget ${b.uncosted.map((u) => u.name).join(', ')} not charged for this call (set a price on its targets, ai.models.${state.alias}.targets[].price)`);
    }
    if (b.cells.length === 0) return undefined;
    const whole = overWholeLimit(b.infos);
    if (whole >= 0) return deny.callExceedsBudget(site, b.infos[whole], state.alias, e);
    const charge = !ctx.dryRun;
    let checked: CheckResult | Promise<CheckResult>;
    try {
      checked = backend.check(now, b.cells, [], charge);
    } catch (err) {
      return unchecked(b, state, err);
    }
    if (!(checked instanceof Promise)) return decide(b, checked, state, site, now, charge);
    return checked.then(
      (c) => decide(b, c, state, site, now, charge),
      (err: unknown) => unchecked(b, state, err),
    );
  }

  function decide(b: BudgetCells, c: CheckResult, state: AiCallState, site: deny.Site, now: number, charge: boolean): LayerResult {
    if (!c.admitted) return deny.budgetDenial(site, b.infos, c.cells, now, state.alias, state.estimate);
    // A dry run (explain) tells where each budget stands; a live call has no use for it.
    if (!charge) state.standing = deny.budgetStanding(b.infos, c.cells);
    if (charge) {
      const costMicros = b.infos.some((i) => i.kind === 'spend') ? micros(state.estimate.costUsd!) : undefined;
      const tokens = state.estimate.inputTokens + state.estimate.maxOutputTokens;
      state.reserved = { tokens, spendUsd: costMicros === undefined ? undefined : costMicros / 1e6 };
      state.settle = settler({ backend, cells: b.cells, infos: b.infos, outcomes: c.cells, tokens, costMicros, clock, report }, state);
    }
    return undefined;
  }

  /** The counters did not answer: budgets that fail closed refuse (503), the others let the call through unchecked. */
  function unchecked(b: BudgetCells, state: AiCallState, err: unknown): LayerResult {
    const reason = err instanceof Error ? err.message : String(err);
    const closed = [...new Set(b.infos.filter((i) => i.budget.failClosed).map((i) => i.budget.name))];
    if (closed.length) return deny.budgetUnavailable(closed, reason);
    state.warnings.push(`budgets ${[...new Set(b.infos.map((i) => i.budget.name))].join(', ')} not checked nor charged: the counters could not be reached (${reason})`);
    return undefined;
  }
}

/** The call's reservation: its prompt, the most output it may produce, and that at the dearest priced target. */
function estimateOf(model: ModelPlan, operation: 'chat' | 'embeddings', inputTokens: number, asked: number | undefined, priced: boolean): AiEstimate {
  const room = model.contextWindow === undefined ? Infinity : model.contextWindow - inputTokens;
  const maxOutputTokens = operation === 'embeddings' ? 0 : (asked ?? Math.min(model.maxOutputTokens ?? DEFAULT_OUTPUT_RESERVE, room));
  let costUsd: number | undefined;
  // Only a spend budget reserves money: pricing the estimate is skipped without one.
  if (!priced) return { inputTokens, maxOutputTokens };
  const usage = { inputTokens, outputTokens: maxOutputTokens };
  for (const t of targetsOf(model)) {
    const p = priceCall(t, usage);
    if (p && (costUsd === undefined || p.costUsd > costUsd)) costUsd = p.costUsd;
  }
  return { inputTokens, maxOutputTokens, costUsd };
}

function targetsOf(model: ModelPlan) {
  return [...model.balancer.peers.map((p) => p.target), ...model.fallbacks];
}

const NOT_JSON = Symbol('not json');

/** The body's JSON: as the body layer parsed it, else the bytes read as JSON (a client that sent no JSON content type). */
function bodyJson(ctx: EvalContext): unknown {
  const body = ctx.body;
  if (!body) return NOT_JSON;
  if (body.json !== undefined) return body.json;
  if (body.bytes.length === 0) return NOT_JSON;
  try {
    return JSON.parse(body.bytes.toString('utf8'));
  } catch {
    return NOT_JSON;
  }
}
