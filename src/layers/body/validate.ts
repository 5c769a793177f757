import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createRequire } from 'node:module';
import type { Ajv as AjvClass, ErrorObject, ValidateFunction } from 'ajv';
import type * as formats from 'ajv-formats';
import { parse as parseYaml } from 'yaml';
import type { RouteConfig } from '../../config/schema.ts';

/**
 * ajv and ajv-formats take a quarter of a second to import: they are loaded when a config first
 * has a schema, not by every process that imports the pipeline (the CLI, configs without schemas).
 */
function loadAjv(): { Ajv: typeof AjvClass; addFormats: typeof formats.default.default } {
  const require = createRequire(import.meta.url);
  const { Ajv } = require('ajv') as typeof import('ajv');
  // ajv-formats is CommonJS (exports.default = plugin).
  const addFormats = (require('ajv-formats') as { default: typeof formats.default.default }).default;
  return { Ajv, addFormats };
}

/** One failing field of a body: its JSON pointer (RFC 6901) and what is wrong with it. */
export interface FieldError {
  pointer: string;
  message: string;
}

/** How a route's bodies are validated, compiled at load. */
export interface BodyValidator {
  /** Where the schema comes from, for decisions: "routes[2].body.schema" or "openapi.yaml#createOrder". */
  source: string;
  /** Media types the schema covers (OpenAPI: the operation's content types; inline: every JSON type). */
  covers(mediaType: string): boolean;
  /** The content types the schema is for: the route accepts these when it lists none itself. */
  types: string[];
  /** An empty body is refused (OpenAPI requestBody.required)... */
  required: boolean;
  /** ...on requests of this method (the operation's), not on others the route serves (nor preflights). */
  method?: string;
  validate(mediaType: string, value: unknown): FieldError[];
}

/** A schema that does not compile; `path` points the config error at the route's entry. */
export class BodySchemaError extends Error {
  constructor(
    message: string,
    readonly path: (string | number)[],
  ) {
    super(message);
  }
}

const MAX_ERRORS = 20;

/**
 * A new ajv with formats, collecting every error. Strict for schemas written in the config (a
 * misspelt keyword is an error at load); loose for OpenAPI documents and their own keywords.
 * Shared with the AI templates (src/ai/templates), whose schemas are config schemas too.
 * ownProperties: without it ajv reads properties through the prototype chain, so `required:
 * [constructor]` passed an empty object and `properties: {toString: ...}` checked a function.
 */
export function newAjv(strict: boolean): AjvClass {
  const { Ajv, addFormats } = loadAjv();
  return addFormats(new Ajv({ allErrors: true, strict, ownProperties: true }));
}

/** One ajv instance per config load: schemas compile once, documents are shared between routes. */
export function validatorFactory() {
  // Inline schemas are strict; OpenAPI documents carry keywords of their own (example, xml,
  // discriminator, nullable), so theirs are not.
  let ajv: { strict: AjvClass; loose: AjvClass } | undefined;
  const instances = () => {
    if (!ajv) ajv = { strict: newAjv(true), loose: newAjv(false) };
    return ajv;
  };
  const documents = new Map<string, Record<string, unknown>>();

  return (route: RouteConfig, index: number): BodyValidator | undefined => {
    const b = route.body;
    if (!b?.schema && !b?.openapi) return undefined;
    const { strict, loose } = instances();
    if (b?.schema) {
      const at = ['routes', index, 'body', 'schema'];
      let fn: ValidateFunction;
      try {
        fn = strict.compile(b.schema);
      } catch (err) {
        throw new BodySchemaError(`route ${route.id}: body.schema does not compile: ${(err as Error).message}`, at);
      }
      return { source: `routes[${index}].body.schema`, types: ['application/json'], covers: isJson, required: false, validate: (_t, v) => errorsOf(fn, v) };
    }
    if (b?.openapi) {
      const at = ['routes', index, 'body', 'openapi'];
      const file = resolve(b.openapi.file);
      let doc = documents.get(file);
      if (!doc) {
        doc = readDocument(file, at);
        documents.set(file, doc);
        loose.addSchema(doc, `openapi:${file}`);
      }
      const op = findOperation(doc, b.openapi.operation);
      if (!op) throw new BodySchemaError(`route ${route.id}: ${b.openapi.file} has no operation with operationId ${b.openapi.operation}`, [...at, 'operation']);
      const body = op.operation.requestBody as { required?: boolean; content?: Record<string, { schema?: unknown }> } | undefined;
      const byType = new Map<string, ValidateFunction>();
      for (const [type, media] of Object.entries(body?.content ?? {})) {
        if (!media?.schema || !isJson(type.toLowerCase())) continue;
        const pointer = `#/paths/${escape(op.path)}/${op.method}/requestBody/content/${escape(type)}/schema`;
        try {
          byType.set(type.toLowerCase(), loose.compile({ $ref: `openapi:${file}${pointer}` }));
        } catch (err) {
          throw new BodySchemaError(`route ${route.id}: the schema of ${b.openapi.operation} (${type}) does not compile: ${(err as Error).message}`, at);
        }
      }
      return {
        source: `${b.openapi.file}#${b.openapi.operation}`,
        types: Object.keys(body?.content ?? {}).map((t) => t.toLowerCase()),
        covers: (t) => byType.has(t),
        required: body?.required === true,
        method: op.method.toUpperCase(),
        validate: (t, v) => errorsOf(byType.get(t)!, v),
      };
    }
    return undefined;
  };
}

function isJson(mediaType: string): boolean {
  return mediaType === 'application/json' || mediaType.endsWith('+json');
}

export function readDocument(file: string, at: (string | number)[]): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new BodySchemaError(`cannot read the OpenAPI document ${file}: ${(err as Error).message}`, [...at, 'file']);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new BodySchemaError(`the OpenAPI document ${file} is not YAML or JSON: ${(err as Error).message}`, [...at, 'file']);
  }
  if (typeof doc !== 'object' || doc === null || typeof (doc as { openapi?: unknown }).openapi !== 'string') {
    throw new BodySchemaError(`${file} is not an OpenAPI 3 document (no "openapi" version field)`, [...at, 'file']);
  }
  return doc as Record<string, unknown>;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

export function findOperation(doc: Record<string, unknown>, id: string): { path: string; method: string; operation: Record<string, unknown> } | undefined {
  for (const [path, item] of Object.entries((doc.paths ?? {}) as Record<string, Record<string, unknown>>)) {
    for (const method of METHODS) {
      const operation = item?.[method] as Record<string, unknown> | undefined;
      if (operation?.operationId === id) return { path, method, operation };
    }
  }
  return undefined;
}

/** A JSON pointer token (RFC 6901), in a URI fragment. */
function escape(token: string): string {
  return encodeURIComponent(token.replace(/~/g, '~0').replace(/\//g, '~1'));
}

/** ajv's errors as field pointers: a missing or extra property is named in the pointer itself. */
export function errorsOf(fn: ValidateFunction, value: unknown): FieldError[] {
  if (fn(value)) return [];
  const out: FieldError[] = [];
  const seen = new Set<string>();
  for (const e of (fn.errors ?? []) as ErrorObject[]) {
    const p = e.params as { missingProperty?: string; additionalProperty?: string; unevaluatedProperty?: string };
    const extra = p.missingProperty ?? p.additionalProperty ?? p.unevaluatedProperty;
    const pointer = extra === undefined ? e.instancePath : `${e.instancePath}/${extra.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    const message = e.keyword === 'required' ? 'is required' : e.keyword === 'additionalProperties' ? 'is not allowed' : (e.message ?? e.keyword);
    const key = pointer + '\u0000' + message;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ pointer, message });
    if (out.length === MAX_ERRORS) break;
  }
  return out;
}
