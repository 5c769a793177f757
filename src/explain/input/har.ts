// Reads a HAR file (HAR 1.2, as browsers export it) or one of its entries into a ParsedRequest.
import { RequestInputError, type ParsedRequest } from './types.ts';

interface HarHeader { name: string; value: string }
interface HarRequest {
  method: string;
  url: string;
  headers?: HarHeader[];
  postData?: { mimeType?: string; text?: string; params?: Array<{ name: string; value?: string; fileName?: string }> };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asRequest(value: unknown, where: string): HarRequest {
  if (!isObject(value) || typeof value.method !== 'string' || typeof value.url !== 'string') {
    throw new RequestInputError(`${where} has no request with a method and a url`);
  }
  if (value.headers !== undefined) {
    const ok = Array.isArray(value.headers)
      && value.headers.every((h) => isObject(h) && typeof h.name === 'string' && typeof h.value === 'string');
    if (!ok) throw new RequestInputError(`${where}.headers must be a list of {name, value} strings`);
  }
  if (value.postData !== undefined && !isObject(value.postData)) {
    throw new RequestInputError(`${where}.postData must be an object`);
  }
  return value as unknown as HarRequest;
}

function bodyOf(request: HarRequest, where: string): Buffer | undefined {
  const post = request.postData;
  if (!post) return undefined;
  if (typeof post.text === 'string') return Buffer.from(post.text, 'utf8');
  if (Array.isArray(post.params)) {
    // Some exporters give a urlencoded form only as params.
    if (!/^application\/x-www-form-urlencoded\b/i.test(post.mimeType ?? '')) {
      throw new RequestInputError(`${where}.postData has params but no text, and only urlencoded forms can be rebuilt from params`);
    }
    const form = new URLSearchParams();
    for (const p of post.params) form.append(p.name, p.value ?? '');
    return Buffer.from(form.toString(), 'utf8');
  }
  return undefined;
}

function describeEntry(entry: unknown, index: number): string {
  const request = isObject(entry) ? entry.request : undefined;
  if (!isObject(request)) return `  ${index}: (no request)`;
  return `  ${index}: ${String(request.method)} ${String(request.url)}`;
}

function pickEntry(doc: Record<string, unknown>, index: number | undefined): { request: HarRequest; where: string } {
  const log = doc.log;
  if (isObject(log)) {
    if (!Array.isArray(log.entries)) throw new RequestInputError('the HAR file has no log.entries list');
    const entries = log.entries;
    if (entries.length === 0) throw new RequestInputError('the HAR file has no entries');
    if (index === undefined) {
      if (entries.length > 1) {
        const list = entries.slice(0, 50).map(describeEntry).join('\n');
        const more = entries.length > 50 ? `\n  ... and ${entries.length - 50} more` : '';
        throw new RequestInputError(
          `the HAR file has ${entries.length} entries; choose one by its index:\n${list}${more}`,
        );
      }
      index = 0;
    }
    if (!Number.isInteger(index) || index < 0 || index >= entries.length) {
      throw new RequestInputError(`the HAR file has no entry ${index} (it has ${entries.length}, from 0)`);
    }
    const entry = entries[index];
    const where = `log.entries[${index}]`;
    return { request: asRequest(isObject(entry) ? entry.request : undefined, `${where}.request`), where: `${where}.request` };
  }
  if (isObject(doc.request)) return { request: asRequest(doc.request, 'entry.request'), where: 'entry.request' };
  throw new RequestInputError('the JSON is neither a HAR file (log.entries) nor a HAR entry (request)');
}

export function parseHar(text: string, entryIndex?: number): ParsedRequest {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new RequestInputError(`the HAR text is not valid JSON: ${(err as Error).message}`);
  }
  if (!isObject(doc)) throw new RequestInputError('the HAR text must be a JSON object');
  const { request, where } = pickEntry(doc, entryIndex);
  // HTTP/2 and HTTP/3 pseudo-headers (:method, :path, ...) are not header lines of the request.
  const headers = (request.headers ?? [])
    .filter((h) => !h.name.startsWith(':'))
    .map((h): [string, string] => [h.name, h.value]);
  const parsed: ParsedRequest = { method: request.method, url: request.url, headers, source: 'har' };
  const body = bodyOf(request, where);
  if (body !== undefined) parsed.body = body;
  return parsed;
}
