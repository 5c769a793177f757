import { isUtf8 } from 'node:buffer';
import type { Config } from '../../config/schema.ts';
import type { Denial } from '../../decision/types.ts';
import type { BodyRead, EvalContext, Layer, LayerResult } from '../../pipeline/types.ts';
import { SKIP } from '../../pipeline/types.ts';
import type { CompiledRoute } from '../route/compile.ts';
import { compileAccepted, contentTypeProblem, jsonInvalid, multipartInvalid, schemaInvalid, unsupported, type Accepted } from './hygiene.ts';
import { diagnoseJson } from './json.ts';
import { parseMultipart } from './multipart.ts';
import { isJsonType, mediaTypeOf, parseBody } from './parse.ts';
import { validatorFactory, type BodyValidator } from './validate.ts';

interface BodyPlan {
  maxBytes: number;
  /**
   * Whether the body is read and parsed: a later layer inspects it, or this layer's own rules
   * need it (a JSON or multipart type is accepted: such bodies must be well-formed; a schema).
   */
  read: boolean;
  /** Content types accepted (body.accept, or those of the route's schema); undefined: any. */
  accept?: Accepted;
  /** JSON bodies must be well-formed (a JSON type is accepted, or a schema is set). */
  json: boolean;
  validator?: BodyValidator;
}

/**
 * Request bodies: refuses one over the route's limit (by its declared length, before a byte
 * is read) and one whose content type the route does not accept (before it is read); on routes
 * where a later layer inspects the body or the route's own rules need it (well-formed JSON, a
 * schema), reads it (up to the limit, never more) and parses it into ctx.body: JSON, urlencoded
 * and multipart form fields. Elsewhere the body is never buffered: it streams upstream.
 */
export function bodyLayer(config: Config, needsBody: (route: CompiledRoute) => boolean, routes: readonly CompiledRoute[]): Layer {
  const plans = new Map<string, BodyPlan>();
  const validatorOf = validatorFactory();
  for (const route of routes) {
    const rc = config.routes[route.index];
    const validator = validatorOf(rc, route.index);
    const types = rc.body?.accept ?? (validator?.types.length ? validator.types : undefined);
    const json = types?.some((t) => isJsonType(t) || t === 'application/*') ?? false;
    const multipart = types?.some((t) => t === 'multipart/form-data' || t === 'multipart/*') ?? false;
    plans.set(route.id, {
      maxBytes: rc.body?.maxBytes ?? config.body.maxBytes,
      read: needsBody(route) || json || multipart || validator !== undefined,
      accept: types && compileAccepted(types),
      json,
      validator,
    });
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
      const present = req.rawBody !== undefined ? req.rawBody.length > 0 : hasBody(ctx);
      if (plan.accept && present) {
        const ct = req.headers['content-type'];
        const why = contentTypeProblem(plan.accept, ct, mediaTypeOf(ct));
        if (why) return unsupported(route.id, plan.accept, why, req.method);
      }
      if (req.rawBody !== undefined) {
        if (req.rawBody.length > plan.maxBytes) return tooLarge(route.id, plan.maxBytes, `${req.rawBody.length}`);
        return plan.read ? inspect(ctx, req.rawBody, route.id, plan) : undefined;
      }
      if (!plan.read) return undefined;
      // No body: nothing to parse, but a schema may require one.
      if (!present) return inspect(ctx, EMPTY, route.id, plan, false);
      if (ctx.readBody === undefined) return undefined;
      return ctx.readBody(plan.maxBytes).then((r) => afterRead(ctx, r, route.id, plan));
    },
  };
}

const EMPTY = Buffer.alloc(0);

function hasBody(ctx: EvalContext): boolean {
  const h = ctx.req.headers;
  return h['transfer-encoding'] !== undefined || (h['content-length'] !== undefined && h['content-length'] !== '0');
}

function afterRead(ctx: EvalContext, r: BodyRead, routeId: string, plan: BodyPlan): LayerResult | Promise<LayerResult> {
  if (r.ok) {
    ctx.req.rawBody = r.bytes;
    return inspect(ctx, r.bytes, routeId, plan);
  }
  if (r.reason === 'too_large') return tooLarge(routeId, plan.maxBytes, `more than ${plan.maxBytes} (chunked)`);
  return {
    code: 'body.incomplete',
    ruleId: `route:${routeId}:body`,
    detail: `the client stopped sending after ${r.received} bytes of the body`,
    hint: 'The connection ended before the whole body arrived. Send the request again.',
    evidence: [{ where: 'body', expected: 'the whole body', observed: `${r.received} bytes` }],
    fixes: [{ who: 'client', action: 'Send the request again with its whole body.', proved: false, retryable: true }],
  };
}

/** Parses the body into ctx.body and applies the route's rules: well-formed JSON, readable multipart, the schema. */
function inspect(ctx: EvalContext, bytes: Buffer, routeId: string, plan: BodyPlan, parse = true): LayerResult | Promise<LayerResult> {
  const contentType = ctx.req.headers['content-type'];
  const body = parseBody(bytes, contentType);
  if (parse) ctx.body = body;
  const v = plan.validator;
  if (bytes.length === 0) {
    const required = v?.required && (v.method === undefined || v.method === ctx.req.method);
    return required ? schemaInvalid(routeId, v!.source, [{ pointer: '', message: 'a request body is required' }], undefined) : undefined;
  }
  const type = body.mediaType;
  // Invalid UTF-8 parses (as U+FFFD) yet is not JSON: the upstream may decode it otherwise.
  if (isJsonType(type) && (plan.json || v?.covers(type)) && (body.json === undefined || !isUtf8(bytes))) return jsonInvalid(routeId, diagnoseJson(bytes));
  if (type === 'multipart/form-data') {
    return parseMultipart(bytes, String(contentType), plan.maxBytes).then(
      (parts) => {
        body.fields = parts.fields;
        body.files = parts.files;
        return undefined;
      },
      (err: Error) => multipartInvalid(routeId, err.message.replace(/^Multipart: /, '')),
    );
  }
  if (v && body.json !== undefined && v.covers(type)) {
    const errors = v.validate(type, body.json);
    if (errors.length) return schemaInvalid(routeId, v.source, errors, body.json);
  }
  return undefined;
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
