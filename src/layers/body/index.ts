import type { Config } from '../../config/schema.ts';
import type { Denial } from '../../decision/types.ts';
import type { BodyRead, EvalContext, Layer, LayerResult } from '../../pipeline/types.ts';
import { SKIP } from '../../pipeline/types.ts';
import type { CompiledRoute } from '../route/compile.ts';
import { parseBody } from './parse.ts';

interface BodyPlan {
  maxBytes: number;
  /** Whether a later layer inspects the body on this route (then it is read and parsed). */
  read: boolean;
}

/**
 * Request bodies: refuses one over the route's limit (by its declared length, before a byte
 * is read) and, on routes where a later layer inspects the body, reads it (up to the limit)
 * and parses it into ctx.body. Elsewhere the body is never buffered: it streams upstream.
 */
export function bodyLayer(config: Config, needsBody: (route: CompiledRoute) => boolean, routes: readonly CompiledRoute[]): Layer {
  const plans = new Map<string, BodyPlan>();
  for (const route of routes) {
    const rc = config.routes[route.index];
    plans.set(route.id, { maxBytes: rc.body?.maxBytes ?? config.body.maxBytes, read: needsBody(route) });
  }
  return {
    name: 'body',
    evaluate(ctx: EvalContext): LayerResult | Promise<LayerResult> {
      const route = ctx.route;
      if (!route) return SKIP;
      const plan = plans.get(route.id)!;
      const req = ctx.req;
      const declared = req.headers['content-length'];
      if (declared !== undefined && Number(declared) > plan.maxBytes) return tooLarge(route.id, plan.maxBytes, `declared ${declared}`);
      if (req.rawBody !== undefined) {
        if (req.rawBody.length > plan.maxBytes) return tooLarge(route.id, plan.maxBytes, `${req.rawBody.length}`);
        if (plan.read) ctx.body = parseBody(req.rawBody, req.headers['content-type']);
        return undefined;
      }
      if (!plan.read || ctx.readBody === undefined || !hasBody(ctx)) return undefined;
      return ctx.readBody(plan.maxBytes).then((r) => afterRead(ctx, r, route.id, plan.maxBytes));
    },
  };
}

function hasBody(ctx: EvalContext): boolean {
  const h = ctx.req.headers;
  return h['transfer-encoding'] !== undefined || (h['content-length'] !== undefined && h['content-length'] !== '0');
}

function afterRead(ctx: EvalContext, r: BodyRead, routeId: string, max: number): LayerResult {
  if (r.ok) {
    ctx.req.rawBody = r.bytes;
    ctx.body = parseBody(r.bytes, ctx.req.headers['content-type']);
    return undefined;
  }
  if (r.reason === 'too_large') return tooLarge(routeId, max, `more than ${max} (chunked)`);
  return {
    code: 'body.incomplete',
    ruleId: `route:${routeId}:body`,
    detail: `the client stopped sending after ${r.received} bytes of the body`,
    hint: 'The connection ended before the whole body arrived. Send the request again.',
    evidence: [{ where: 'body', expected: 'the whole body', observed: `${r.received} bytes` }],
    fixes: [{ who: 'client', action: 'Send the request again with its whole body.', proved: false, retryable: true }],
  };
}

function tooLarge(routeId: string, max: number, observed: string): Denial {
  return {
    code: 'body.too_large',
    ruleId: `route:${routeId}:body.maxBytes`,
    detail: `the body (${observed} bytes) is over the limit of route ${routeId} (${max} bytes)`,
    hint: `The body may be at most ${max} bytes.`,
    evidence: [{ where: 'header:Content-Length', expected: `<= ${max}`, observed }],
    fixes: [
      { who: 'client', action: `Send a body of at most ${max} bytes.`, proved: false, retryable: false },
      { who: 'operator', action: `Raise body.maxBytes of route ${routeId} if larger bodies are expected.`, proved: false, retryable: false },
    ],
  };
}
