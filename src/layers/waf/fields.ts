import type { EvalContext } from '../../pipeline/types.ts';
import { percentDecode } from './transforms.ts';

/** Kinds of value a request is taken apart into; a rule's targets name them. */
export const FIELD_KINDS = ['path', 'query.name', 'query.value', 'body.name', 'body.value', 'header', 'header.name', 'cookie.name', 'cookie.value'] as const;
export type FieldKind = (typeof FIELD_KINDS)[number];
/** A kind's index in FIELD_KINDS (the engine keeps its plans in arrays by kind). */
export const KIND_ID = Object.fromEntries(FIELD_KINDS.map((k, i) => [k, i])) as Record<FieldKind, number>;

/** One value of the request, named so that an operator can find it and exempt it. */
export interface Field {
  kind: FieldKind;
  /** `path`, `query.q`, `header.user-agent`, `cookie.sid`, `body.items[2].note`. */
  name: string;
  /** Decoded once, as the application will see it (query, form and path percent-decoding). */
  value: string;
  /** The value as received, where decoding changed it (for the encoding detectors). */
  raw?: string;
  /** JSON pointer of a JSON body value (RFC 6901). */
  pointer?: string;
  /** For headers: the lowercased header name. */
  header?: string;
}

/** Stops walking a body with more values than this (the size family reports it). */
export const MAX_FIELDS = 20_000;
const MAX_DEPTH = 64;

/**
 * A field as the walk passes it: kind, value, raw and header to inspect it; field() for the whole
 * Field, name and pointer included, which is built only then (for a match), so that walking a
 * large JSON body builds no names and no objects per value.
 */
export interface FieldView {
  readonly kind: FieldKind;
  readonly kindId: number;
  readonly value: string;
  readonly raw?: string;
  readonly header?: string;
  field(): Field;
}

export type FieldVisitor = (f: FieldView) => void;

/** All the fields of a request, in order: path, query, headers and cookies, then the body. */
export function requestFields(ctx: EvalContext, inspectBody: boolean): Field[] {
  const out: Field[] = [];
  walkFields(ctx, inspectBody, (f) => out.push(f.field()));
  return out;
}

/** Takes the request apart into fields, visiting each in turn. Cheap: one pass over each part, no copies of the body. */
export function walkFields(ctx: EvalContext, inspectBody: boolean, visit: FieldVisitor): void {
  const req = ctx.req;
  const out = new Built(visit);
  const path = percentDecode(req.path.replaceAll('+', '%2B'));
  out.push(path === req.path ? { kind: 'path', name: 'path', value: path } : { kind: 'path', name: 'path', value: path, raw: req.path });
  if (req.query) queryFields(req.query, 'query', 'query.name', 'query.value', out);
  for (const name in req.headers) {
    const v = req.headers[name];
    if (v === undefined) continue;
    if (name === 'cookie') {
      cookieFields(Array.isArray(v) ? v.join('; ') : v, out);
      continue;
    }
    out.push({ kind: 'header.name', name: `header.${name}`, value: name, header: name });
    if (Array.isArray(v)) for (const one of v) out.push({ kind: 'header', name: `header.${name}`, value: one, header: name });
    else out.push({ kind: 'header', name: `header.${name}`, value: v, header: name });
  }
  if (inspectBody && ctx.body) bodyFields(ctx, out);
}

/** Visits fields built whole (all but JSON bodies), counting every field visited. */
class Built implements FieldView {
  count = 0;
  private f!: Field;
  constructor(readonly visit: FieldVisitor) {}

  push(f: Field): void {
    this.f = f;
    this.count++;
    this.visit(this);
  }

  get kind(): FieldKind {
    return this.f.kind;
  }
  get kindId(): number {
    return KIND_ID[this.f.kind];
  }
  get value(): string {
    return this.f.value;
  }
  get raw(): string | undefined {
    return this.f.raw;
  }
  get header(): string | undefined {
    return this.f.header;
  }
  field(): Field {
    return this.f;
  }
}

function queryFields(text: string, prefix: string, nameKind: FieldKind, valueKind: FieldKind, out: Built): void {
  let start = 0;
  while (start <= text.length && out.count < MAX_FIELDS) {
    let end = text.indexOf('&', start);
    if (end === -1) end = text.length;
    const pair = text.slice(start, end);
    start = end + 1;
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const rawName = eq === -1 ? pair : pair.slice(0, eq);
    const rawValue = eq === -1 ? '' : pair.slice(eq + 1);
    const name = percentDecode(rawName);
    const value = percentDecode(rawValue);
    const fieldName = `${prefix}.${name}`;
    out.push(name === rawName ? { kind: nameKind, name: fieldName, value: name } : { kind: nameKind, name: fieldName, value: name, raw: rawName });
    out.push(value === rawValue ? { kind: valueKind, name: fieldName, value } : { kind: valueKind, name: fieldName, value, raw: rawValue });
  }
}

function cookieFields(header: string, out: Built): void {
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    const name = (eq === -1 ? part : part.slice(0, eq)).trim();
    const value = eq === -1 ? '' : part.slice(eq + 1).trim();
    if (!name && !value) continue;
    out.push({ kind: 'cookie.name', name: `cookie.${name}`, value: name });
    out.push({ kind: 'cookie.value', name: `cookie.${name}`, value });
  }
}

function bodyFields(ctx: EvalContext, out: Built): void {
  const body = ctx.body!;
  if (body.json !== undefined) {
    new JsonWalk(out).walk(body.json, 0);
  } else if (body.fields) {
    for (const [name, value] of body.fields) {
      if (out.count >= MAX_FIELDS) break;
      out.push({ kind: 'body.name', name: `body.${name}`, value: name });
      out.push({ kind: 'body.value', name: `body.${name}`, value });
    }
  } else if (body.bytes.length > 0 && isTextual(body.mediaType)) {
    // A body that did not parse (malformed JSON, text, XML): inspected as one value.
    out.push({ kind: 'body.value', name: 'body', value: body.bytes.toString('utf8') });
  }
}

function isTextual(mediaType: string): boolean {
  if (mediaType === '') return true;
  if (mediaType.startsWith('image/') || mediaType.startsWith('audio/') || mediaType.startsWith('video/')) return false;
  return mediaType !== 'application/octet-stream' && mediaType !== 'application/zip' && mediaType !== 'application/gzip' && mediaType !== 'application/pdf';
}

/**
 * Walks a parsed JSON body: one body.value field per string, one body.name field per key, named
 * like body.items[2].note with the JSON pointer /items/2/note. The path is kept as a stack of keys
 * and indexes; names are built from it only when field() is asked for.
 */
class JsonWalk implements FieldView {
  kind: FieldKind = 'body.value';
  kindId = KIND_ID['body.value'];
  value = '';
  private readonly path: Array<string | number> = [];

  constructor(private readonly out: Built) {}

  walk(v: unknown, depth: number): void {
    const out = this.out;
    if (out.count >= MAX_FIELDS || depth > MAX_DEPTH) return;
    if (typeof v === 'string') {
      this.emit('body.value', v);
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        this.path.push(i);
        this.walk(v[i], depth + 1);
        this.path.pop();
      }
    } else if (v !== null && typeof v === 'object') {
      for (const key in v) {
        this.path.push(key);
        this.emit('body.name', key);
        this.walk((v as Record<string, unknown>)[key], depth + 1);
        this.path.pop();
      }
    }
  }

  private emit(kind: FieldKind, value: string): void {
    this.kind = kind;
    this.kindId = KIND_ID[kind];
    this.value = value;
    this.out.count++;
    this.out.visit(this);
  }

  field(): Field {
    let name = 'body';
    let pointer = '';
    for (const part of this.path) {
      if (typeof part === 'number') {
        name += `[${part}]`;
        pointer += `/${part}`;
      } else {
        name += isPlainKey(part) ? `.${part}` : `[${JSON.stringify(part)}]`;
        pointer += `/${part.replaceAll('~', '~0').replaceAll('/', '~1')}`;
      }
    }
    return { kind: this.kind, name, value: this.value, pointer: this.kind === 'body.value' ? pointer || '/' : pointer };
  }
}

function isPlainKey(key: string): boolean {
  if (key.length === 0) return false;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36;
    if (!letter && !(i > 0 && ((c >= 48 && c <= 57) || c === 45))) return false;
  }
  return true;
}
