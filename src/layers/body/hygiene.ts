import type { Denial } from '../../decision/types.ts';
import type { JsonProblem } from './json.ts';
import type { FieldError } from './validate.ts';

/** The content types a route accepts, compiled: exact types and whole types (text/*). */
export interface Accepted {
  exact: ReadonlySet<string>;
  /** "text/" for text/* */
  prefixes: readonly string[];
  /** For the hint and Accept-Post: "application/json, multipart/form-data". */
  list: string;
}

export function compileAccepted(types: readonly string[]): Accepted {
  return {
    exact: new Set(types.filter((t) => !t.endsWith('/*'))),
    prefixes: types.filter((t) => t.endsWith('/*')).map((t) => t.slice(0, -1)),
    list: types.join(', '),
  };
}

/**
 * Why a body's Content-Type is refused, or undefined when it is accepted. JSON is UTF-8
 * (RFC 8259 §8.1): a JSON type with another charset is refused rather than misread.
 */
export function contentTypeProblem(a: Accepted, contentType: string | string[] | undefined, mediaType: string): string | undefined {
  if (Array.isArray(contentType)) return 'more than one Content-Type header';
  if (mediaType === '') return 'no Content-Type';
  if (!a.exact.has(mediaType) && !a.prefixes.some((p) => mediaType.startsWith(p))) return `Content-Type ${clip(mediaType)}`;
  if (mediaType === 'application/json' || mediaType.endsWith('+json')) {
    const charset = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(contentType ?? '')?.[1]?.toLowerCase();
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') return `JSON in charset ${clip(charset)} (JSON is UTF-8)`;
  }
  return undefined;
}

function clip(s: string): string {
  return s.length > 80 ? s.slice(0, 80) + '…' : s;
}

export function unsupported(routeId: string, a: Accepted, why: string, method: string): Denial {
  const headers: Record<string, string> | undefined = method === 'PATCH' ? { 'accept-patch': a.list } : method === 'POST' ? { 'accept-post': a.list } : undefined;
  return {
    code: 'body.media_type_unsupported',
    ruleId: `route:${routeId}:body.accept`,
    detail: `route ${routeId} accepts ${a.list}; the request has ${why}`,
    hint: `This route accepts bodies of type ${a.list}.`,
    evidence: [{ where: 'header:Content-Type', expected: a.list, observed: why }],
    fixes: [
      { who: 'client', action: `Send the body as one of ${a.list}, with a matching Content-Type.`, proved: false, retryable: false },
      { who: 'operator', action: `Add the type to body.accept of route ${routeId} if the upstream takes it.`, proved: false, retryable: false },
    ],
    headers,
  };
}

export function jsonInvalid(routeId: string, p: JsonProblem): Denial {
  const where = `line ${p.line}, column ${p.column}`;
  return {
    code: 'body.json_invalid',
    ruleId: `route:${routeId}:body.json`,
    detail: `the JSON body is not well-formed: ${p.reason} at ${where} (${p.unit} ${p.offset})`,
    hint: `The body is not well-formed JSON: ${p.reason} at ${where}.`,
    evidence: [{ where: 'body', expected: 'well-formed UTF-8 JSON (RFC 8259)', observed: `${p.reason} at ${p.unit} ${p.offset}` }],
    fixes: [{ who: 'client', action: 'Send well-formed JSON (no comments, no trailing commas, UTF-8).', proved: false, retryable: false }],
    extensions: { position: { line: p.line, column: p.column, offset: p.offset, unit: p.unit } },
  };
}

export function multipartInvalid(routeId: string, reason: string): Denial {
  return {
    code: 'body.multipart_invalid',
    ruleId: `route:${routeId}:body.multipart`,
    detail: `the multipart/form-data body cannot be read: ${reason}`,
    hint: `The multipart body cannot be read: ${reason}.`,
    evidence: [{ where: 'body', expected: 'multipart/form-data with the boundary of its Content-Type', observed: reason }],
    fixes: [{ who: 'client', action: 'Send a well-formed multipart/form-data body (let the HTTP library build it).', proved: false, retryable: false }],
  };
}

export function schemaInvalid(routeId: string, source: string, errors: FieldError[], json: unknown): Denial {
  const shown = errors.slice(0, 5).map((e) => `${e.pointer || '(the body)'} ${e.message}`).join('; ');
  const more = errors.length > 5 ? ` (and ${errors.length - 5} more)` : '';
  return {
    code: 'body.schema_invalid',
    ruleId: `route:${routeId}:body.schema`,
    ruleSource: source,
    detail: `the body does not match ${source}: ${shown}${more}`,
    hint: `The body does not match the schema of this route: ${shown}${more}.`,
    // The observed value is described, never quoted: a failing field may hold a secret.
    evidence: errors.map((e) => ({ where: `body:${e.pointer || '/'}`, expected: e.message, observed: describeAt(json, e.pointer) })),
    fixes: [{ who: 'client', action: 'Fix the fields listed in errors (JSON pointers into the body).', proved: false, retryable: false }],
    extensions: { errors },
  };
}

/** "number", "string (12 characters)", "absent": what is at a pointer, without its content. */
function describeAt(root: unknown, pointer: string): string {
  let v: unknown = root;
  if (pointer !== '') {
    for (const raw of pointer.slice(1).split('/')) {
      const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
      if (v === null || typeof v !== 'object' || !Object.hasOwn(v, key)) return 'absent';
      v = (v as Record<string, unknown>)[key];
    }
  }
  if (v === null) return 'null';
  if (Array.isArray(v)) return `array (${v.length} items)`;
  if (typeof v === 'string') return `string (${v.length} characters)`;
  return typeof v;
}
