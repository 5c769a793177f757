// The AI routes (serve: ai) in the request flow: their denials go out in the client's own
// error envelope (so its SDK raises a typed error carrying the Pinpoint code), and an allowed
// call is served by src/ai/serve.ts instead of being proxied.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dialectFor, errorDialect } from '../ai/dialects/index.ts';
import type { AiError, Dialect } from '../ai/dialects/types.ts';
import { aiPlan } from '../ai/plan.ts';
import { writeAiError } from '../ai/respond.ts';
import { serveAi, type Served } from '../ai/serve.ts';
import type { CallRecord } from '../calllog/types.ts';
import { decisionProblemFields } from '../decision/problem.ts';
import type { Decision } from '../decision/types.ts';
import type { EvalContext } from '../pipeline/types.ts';
import type { Runtime } from './runtime.ts';

/** Whether a denial of this request is written by writeAiDenial (the route is an AI route). */
export function isAiRoute(ctx: EvalContext): boolean {
  return ctx.route?.serve === 'ai';
}

/** The dialect a request's errors are written in; undefined on a template route (problem+json). */
function errorDialectOf(ctx: EvalContext, rt: Runtime): Dialect | undefined {
  if (ctx.ai) return ctx.ai.dialect;
  const plan = aiPlan(rt.loaded.config).routes.get(ctx.route!.id);
  if (!plan || plan.config.template) return undefined;
  return dialectFor(plan.config.api, ctx.req.path) ?? errorDialect(plan.config.api);
}

export function writeAiDenial(res: ServerResponse, ctx: EvalContext, decision: Decision, rt: Runtime, close: boolean): void {
  const f = decisionProblemFields(decision, ctx.audience, rt.typeBase);
  const details: Record<string, unknown> = { ...f.extensions, retryable: f.retryable };
  if (f.layer) details.layer = f.layer;
  if (f.hint) details.hint = f.hint;
  const param = typeof f.extensions?.param === 'string' ? f.extensions.param : undefined;
  const e: AiError = { status: f.status, code: f.code, message: f.detail ?? `${f.title}. Quote request id ${f.requestId} to the API owner.`, param, requestId: f.requestId, details };
  writeAiError(res, errorDialectOf(ctx, rt), e, rt.typeBase, f.headers, close);
}

/** Serves an allowed AI call; `finish` gets the call log fields. */
export function answerAi(req: IncomingMessage, res: ServerResponse, ctx: EvalContext, requestId: string, t0: number, rt: Runtime, finish: (extra: Partial<CallRecord>) => void, failed: (err: unknown) => void): void {
  serveAi({ req, res, ai: ctx.ai!, requestId, t0, typeBase: rt.typeBase }).then(
    (s: Served) => finish({ outcome: s.outcome, code: s.code, error: s.error, ai: s.record, upstream: s.record.provider }),
    failed,
  );
}
