import type { EvalContext, Layer } from '../../pipeline/types.ts';
import { SKIP } from '../../pipeline/types.ts';

/** Picks the route of the matched path that serves this method; 405 with Allow when none does. */
export function methodLayer(): Layer {
  return {
    name: 'method',
    evaluate(ctx: EvalContext) {
      const match = ctx.match;
      if (!match) return SKIP;
      const { entry } = match;
      const method = ctx.req.method;
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
