import type { RouteConfig } from '../config/schema.ts';
import type { Flavor } from './problems.ts';

/** One operation a route serves, before it is placed in the document. */
export interface Endpoint {
  /** The route's path pattern (router syntax), converted by src/openapi/paths.ts. */
  pattern: string;
  /** Lowercase OpenAPI method: get, post... */
  method: string;
  flavor: Flavor;
  tag: string;
  summary: string;
  description: string;
  requestBody?: unknown;
  /** Responses other than refusals, by status ('200', '2XX'). */
  success: Record<string, unknown>;
  /** Refusal statuses besides those every route gives (errorStatuses). */
  statuses: number[];
  externalDocs?: { description: string; url: string };
}

/**
 * The refusals a route can give whatever it serves: 403 (IP lists, WAF, CORS, authorization),
 * 404, 413; 401 with authn; 429 and 503 with limits; 400 and 415 when the body layer checks
 * content types or a schema.
 */
export function errorStatuses(route: RouteConfig, extra: readonly number[]): number[] {
  const s = new Set([403, 404, 413, ...extra]);
  if (route.authn) s.add(401);
  if (route.limits) {
    s.add(429);
    s.add(503);
  }
  if (route.body?.accept || route.body?.schema || route.body?.openapi) {
    s.add(400);
    s.add(415);
  }
  return [...s].sort((a, b) => a - b);
}
