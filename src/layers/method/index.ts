import type { EvalContext, Layer } from '../../pipeline/types.ts';
import { SKIP } from '../../pipeline/types.ts';
import type { CompiledRoute } from '../route/compile.ts';

/**
 * Picks the route of the matched path that serves this method; 405 with Allow when none does.
 *
 * A CORS preflight (OPTIONS with Origin and Access-Control-Request-Method) asks about the
 * request that would follow: it gets the route that serves the requested method, when the
 * gateway answers preflights for that route (`answersPreflight`, from the cors layer), and the
 * cors layer decides it. So a route need not list OPTIONS for browsers to call it.
 */
export function methodLayer(answersPreflight?: (route: CompiledRoute) => boolean): Layer {
  return {
    name: 'method',
    evaluate(ctx: EvalContext) {
      const match = ctx.match;
      if (!match) return SKIP;
      const { entry } = match;
      const method = ctx.req.method;
      if (answersPreflight && method === 'OPTIONS') {
        const asked = ctx.req.headers['access-control-request-method'];
        if (typeof asked === 'string' && ctx.req.headers.origin !== undefined) {
          const target = preflightTarget(entry.byMethod, entry.anyMethod, asked.trim(), answersPreflight);
          if (target) {
            ctx.route = target;
            return undefined;
          }
        }
      }
      const route = entry.byMethod.get(method) ?? entry.anyMethod;
      if (route) {
        ctx.route = route;
        return undefined;
      }
      return {
        code: 'method.not_allowed',
        ruleId: `route:${entry.routeIds}`,
        detail: `${method} is not allowed on ${entry.pattern}; routes ${entry.routeIds} allow ${entry.allow}`,
        hint: `This resource allows ${entry.allow}.`,
        evidence: [{ where: 'method', expected: entry.allow, observed: method.slice(0, 20) }],
        fixes: [
          { who: 'client', action: `Use one of: ${entry.allow}.`, proved: false, retryable: false },
          { who: 'operator', action: `Add ${method} to the methods of route ${entry.routeIds} if it should be allowed.`, proved: false, retryable: false },
        ],
        headers: { allow: entry.allow },
      };
    },
  };
}

/**
 * The route a preflight is decided by: the one serving the requested method; when none does,
 * another route of the path with CORS, which then refuses the method (cors.method_not_allowed
 * says more to a browser developer than a 405 for OPTIONS would).
 */
function preflightTarget(
  byMethod: ReadonlyMap<string, CompiledRoute>,
  anyMethod: CompiledRoute | undefined,
  asked: string,
  answers: (route: CompiledRoute) => boolean,
): CompiledRoute | undefined {
  const serving = byMethod.get(asked) ?? anyMethod;
  if (serving) return answers(serving) ? serving : undefined;
  for (const r of byMethod.values()) if (answers(r)) return r;
  return undefined;
}
