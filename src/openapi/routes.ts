/** Ordinary routes (proxied to a service) and the session login route, as endpoints. */
import { resolve } from 'node:path';
import type { RouteConfig } from '../config/schema.ts';
import { findOperation, readDocument } from '../layers/body/validate.ts';
import type { Components } from './components.ts';
import type { Endpoint } from './endpoint.ts';
import { requestIdHeader } from './problems.ts';

/** The methods an OpenAPI 3.1 path item can hold, in its order. */
export const OPENAPI_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
/** Methods whose request bodies the gateway describes. */
const BODY_METHODS = new Set(['post', 'put', 'patch', 'delete']);

/** The route's methods as OpenAPI has them (GET implies HEAD; absent: every method), and the others it cannot hold. */
export function routeMethods(route: RouteConfig): { methods: string[]; other: string[] } {
  if (!route.methods) return { methods: OPENAPI_METHODS, other: [] };
  const all = new Set(route.methods.map((m) => m.toLowerCase()));
  if (all.has('get')) all.add('head');
  return { methods: OPENAPI_METHODS.filter((m) => all.has(m)), other: [...all].filter((m) => !OPENAPI_METHODS.includes(m)).map((m) => m.toUpperCase()).sort() };
}

export function serviceEndpoints(route: RouteConfig, c: Components): Endpoint[] {
  const upstream = route.body?.openapi ? upstreamOperation(route.body.openapi) : undefined;
  const success = upstream?.success ?? { '2XX': { description: `The answer of the service ${route.service}.`, headers: requestIdHeader() } };
  const body = requestBody(route, c, upstream?.requestBody);
  return route.paths.flatMap((pattern) =>
    routeMethods(route).methods.map((method) => ({
      pattern,
      method,
      flavor: 'rest' as const,
      tag: route.service ?? 'gateway',
      summary: `Proxied to ${route.service}`,
      description: `Route ${route.id}: proxied to the service ${route.service}${route.stripPrefix ? ` without the prefix ${route.stripPrefix}` : ''}.${route.hosts ? ` Only for the hosts ${route.hosts.join(', ')}.` : ''}`,
      ...(body && BODY_METHODS.has(method) && (!upstream || upstream.method === method) ? { requestBody: body } : {}),
      success,
      statuses: [],
    })),
  );
}

/** The request body the body layer checks: its inline schema for JSON types, the OpenAPI operation's, or just the content types accepted. */
function requestBody(route: RouteConfig, c: Components, upstream: unknown): unknown {
  const b = route.body;
  if (upstream) return upstream;
  if (!b?.schema && !b?.accept) return undefined;
  const schema = b.schema ? c.configSchema(`${route.id}.body`, b.schema) : {};
  const types = b.accept ?? ['application/json'];
  const isJson = (t: string) => t === 'application/json' || t.endsWith('+json');
  const content: Record<string, unknown> = {};
  for (const t of [...types].sort()) content[t] = { schema: isJson(t) ? schema : {} };
  return { required: false, content };
}

/**
 * A route validated against an OpenAPI operation refers to it ($ref into the same file, as
 * the config names it): its request body, and its success answers.
 */
function upstreamOperation(spec: { file: string; operation: string }): { method: string; requestBody?: unknown; success: Record<string, unknown> } | undefined {
  const doc = readDocument(resolve(spec.file), []);
  const op = findOperation(doc, spec.operation);
  if (!op) return undefined;
  const at = `${spec.file}#/paths/${pointerToken(op.path)}/${op.method}`;
  const success: Record<string, unknown> = {};
  for (const status of Object.keys((op.operation.responses ?? {}) as Record<string, unknown>).sort()) {
    if (/^[23]/.test(status)) success[status] = { $ref: `${at}/responses/${pointerToken(status)}` };
  }
  return {
    method: op.method,
    requestBody: op.operation.requestBody === undefined ? undefined : { $ref: `${at}/requestBody` },
    success: Object.keys(success).length ? success : { '2XX': { description: `The answers of ${spec.operation} in ${spec.file}.` } },
  };
}

/** A JSON pointer token (RFC 6901) in a URI fragment. */
function pointerToken(token: string): string {
  return encodeURIComponent(token.replace(/~/g, '~0').replace(/\//g, '~1'));
}

export function loginEndpoints(route: RouteConfig): Endpoint[] {
  return route.paths.map((pattern) => ({
    pattern,
    method: 'post',
    flavor: 'rest' as const,
    tag: 'login',
    summary: 'Log in: get a session cookie',
    description: `Route ${route.id}: checks a consumer's password and sets the session cookie that routes accepting sessions read.`,
    requestBody: {
      required: true,
      content: { 'application/json': { schema: { type: 'object', required: ['username', 'password'], properties: { username: { type: 'string' }, password: { type: 'string', format: 'password' } } } } },
    },
    success: {
      '200': {
        description: 'Logged in.',
        headers: { 'Set-Cookie': { description: 'The signed session cookie.', schema: { type: 'string' } }, ...requestIdHeader() },
        content: { 'application/json': { schema: { type: 'object', required: ['consumer', 'expiresAt'], properties: { consumer: { type: 'string' }, expiresAt: { type: 'string', format: 'date-time' } } } } },
      },
    },
    statuses: [400, 401],
  }));
}
