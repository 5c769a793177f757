import type { EvalContext } from '../../pipeline/types.ts';
import { percentDecode } from './transforms.ts';

/** Kinds of value a request is taken apart into; a rule's targets name them. */
export type FieldKind = 'path' | 'query.name' | 'query.value' | 'body.name' | 'body.value' | 'header' | 'header.name' | 'cookie.name' | 'cookie.value';

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

/** Takes the request apart into fields. Cheap: one pass over each part, no copies of the body. */
export function requestFields(ctx: EvalContext, inspectBody: boolean): Field[] {
  const req = ctx.req;
  const out: Field[] = [];
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
  return out;
}

function queryFields(text: string, prefix: string, nameKind: FieldKind, valueKind: FieldKind, out: Field[]): void {
  let start = 0;
  while (start <= text.length && out.length < MAX_FIELDS) {
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

function cookieFields(header: string, out: Field[]): void {
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    const name = (eq === -1 ? part : part.slice(0, eq)).trim();
    const value = eq === -1 ? '' : part.slice(eq + 1).trim();
    if (!name && !value) continue;
    out.push({ kind: 'cookie.name', name: `cookie.${name}`, value: name });
    out.push({ kind: 'cookie.value', name: `cookie.${name}`, value });
  }
}

function bodyFields(ctx: EvalContext, out: Field[]): void {
  const body = ctx.body!;
  if (body.json !== undefined) {
    walkJson(body.json, 'body', '', 0, out);
  } else if (body.fields) {
    for (const [name, value] of body.fields) {
      if (out.length >= MAX_FIELDS) break;
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

function walkJson(v: unknown, name: string, pointer: string, depth: number, out: Field[]): void {
  if (out.length >= MAX_FIELDS || depth > MAX_DEPTH) return;
  if (typeof v === 'string') {
    out.push({ kind: 'body.value', name, value: v, pointer: pointer || '/' });
  } else if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) walkJson(v[i], `${name}[${i}]`, `${pointer}/${i}`, depth + 1, out);
  } else if (v !== null && typeof v === 'object') {
    for (const key in v) {
      const child = `${name}${isPlainKey(key) ? `.${key}` : `[${JSON.stringify(key)}]`}`;
      const ptr = `${pointer}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
      out.push({ kind: 'body.name', name: child, value: key, pointer: ptr });
      walkJson((v as Record<string, unknown>)[key], child, ptr, depth + 1, out);
    }
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
