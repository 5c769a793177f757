import type { Candidate, DenialCase } from '../candidates.ts';
import { routeOf, withRoute } from './config-edit.ts';
import type { RequestDescription } from '../../pipeline/types.ts';

/** 405: another method the route allows (the client), or the method added to the route (the operator). */
export function methodProposals(c: DenialCase): Candidate[] {
  const allow = c.trial.decision.headers?.allow;
  const route = routeOf(c);
  const out: Candidate[] = (allow ? allow.split(', ') : []).filter((m) => m !== 'HEAD').map((m) => ({
    who: 'client' as const,
    action: `Send it as ${m}.`,
    request: (r: RequestDescription) => ({ ...r, method: m }),
  }));
  const method = c.trial.decision.method;
  if (route && c.config.routes[route.index]?.methods) {
    out.push({
      who: 'operator',
      action: `Add ${method} to routes[${route.index}] (${route.id}).methods.`,
      config: (cfg) => withRoute(cfg, route.index, (rc) => ({ ...rc, methods: [...(rc.methods ?? []), method as never] })),
    });
  }
  return out;
}
