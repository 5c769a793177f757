// A request taken apart into the pieces bisect can leave out: header lines, cookies, query
// parameters, form fields and JSON body fields (the leaves, at any depth). The method, the URL's
// origin and path, and the framing headers are never parts: every variant goes to the same URL.
import type { ParsedRequest } from '../explain/input/index.ts';

export type PartKind = 'header' | 'cookie' | 'query' | 'form' | 'json' | 'body';

export interface Part {
  kind: PartKind;
  /** How the summary names it: `header x-debug`, `cookie session`, `query q`, `body.items[1].note`. */
  label: string;
  /** The value as sent, for the summary (redacted there when it may be a secret). */
  value: string;
}

type JsonPath = Array<string | number>;

export interface Decomposed {
  method: string;
  /** Origin and path of the URL, without the query: every variant is sent here. */
  target: string;
  parts: Part[];
  /** Header lines that are kept as they are (Host), by original index, in order. */
  fixedHeaders: Array<[string, string]>;
  /** Rebuilds the request with only the parts at these indexes. */
  build(keep: ReadonlySet<number>): BuiltRequest;
}

export interface BuiltRequest {
  method: string;
  url: string;
  headers: Array<[string, string]>;
  body?: Buffer;
}

/** Framing and hop-by-hop headers: recomputed by the client for each variant, never sent as pasted. */
const FRAMING = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'expect', 'te', 'proxy-connection', 'trailer', 'host']);

function pathLabel(path: JsonPath): string {
  let out = 'body';
  for (const step of path) out += typeof step === 'number' ? `[${step}]` : /^[A-Za-z_$][\w$]*$/.test(step) ? `.${step}` : `[${JSON.stringify(step)}]`;
  return out;
}

function jsonLeaves(value: unknown, path: JsonPath, out: Array<{ path: JsonPath; value: unknown }>): void {
  if (Array.isArray(value) && value.length > 0) value.forEach((v, i) => jsonLeaves(v, [...path, i], out));
  else if (value !== null && typeof value === 'object' && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) jsonLeaves(v, [...path, k], out);
  } else if (path.length > 0) out.push({ path, value });
}

const DROPPED = Symbol('dropped');

/** The JSON value keeping only the leaves kept; a container whose leaves are all gone goes too. */
function pruneJson(value: unknown, path: string, kept: ReadonlySet<string>): unknown {
  if (Array.isArray(value) && value.length > 0) {
    const out = value.map((v, i) => pruneJson(v, `${path}/${i}`, kept)).filter((v) => v !== DROPPED);
    return out.length > 0 || path === '' ? out : DROPPED;
  }
  if (value !== null && typeof value === 'object' && Object.keys(value).length > 0) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const pruned = pruneJson(v, `${path}/${encodeURIComponent(k)}`, kept);
      if (pruned !== DROPPED) out[k] = pruned;
    }
    return Object.keys(out).length > 0 || path === '' ? out : DROPPED;
  }
  return kept.has(path) ? value : DROPPED;
}

const pointer = (path: JsonPath) => path.map((s) => `/${typeof s === 'number' ? s : encodeURIComponent(s)}`).join('');

function splitPairs(text: string): string[] {
  return text.split('&').filter((s) => s !== '');
}

function pairName(pair: string): string {
  const eq = pair.indexOf('=');
  const raw = eq < 0 ? pair : pair.slice(0, eq);
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw;
  }
}

export function decompose(request: ParsedRequest): Decomposed {
  const url = new URL(request.url);
  const q = request.url.indexOf('?');
  const rawQuery = q < 0 ? '' : request.url.slice(q + 1);
  const target = `${url.origin}${q < 0 ? request.url.slice(url.origin.length) : request.url.slice(url.origin.length, q)}`;

  const parts: Part[] = [];
  const headerSlots: Array<{ name: string; value?: string; part?: number; cookies?: number[] }> = [];
  const fixedHeaders: Array<[string, string]> = [];
  for (const [name, value] of request.headers) {
    const lower = name.toLowerCase();
    if (FRAMING.has(lower)) {
      if (lower === 'host') fixedHeaders.push([name, value]);
      continue;
    }
    if (lower === 'cookie') {
      const cookies: number[] = [];
      for (const c of value.split(';').map((s) => s.trim()).filter(Boolean)) {
        cookies.push(parts.length);
        parts.push({ kind: 'cookie', label: `cookie ${c.split('=')[0]}`, value: c });
      }
      headerSlots.push({ name, cookies });
      continue;
    }
    headerSlots.push({ name, value, part: parts.length });
    parts.push({ kind: 'header', label: `header ${lower}`, value });
  }

  const queryParts = splitPairs(rawQuery).map((pair) => {
    parts.push({ kind: 'query', label: `query ${pairName(pair)}`, value: pair });
    return parts.length - 1;
  });

  const contentType = request.headers.find(([n]) => n.toLowerCase() === 'content-type')?.[1].toLowerCase() ?? '';
  const bodyText = request.body?.toString('utf8');
  let buildBody: (keep: ReadonlySet<number>) => Buffer | undefined = () => request.body;
  if (request.body && request.body.length > 0) {
    let json: unknown;
    let isJson = false;
    if (/^application\/([\w.+-]+\+)?json\b/.test(contentType)) {
      try {
        json = JSON.parse(bodyText!);
        isJson = true;
      } catch {
        isJson = false;
      }
    }
    if (isJson) {
      const leaves: Array<{ path: JsonPath; value: unknown }> = [];
      jsonLeaves(json, [], leaves);
      const indexes = leaves.map((leaf) => {
        parts.push({ kind: 'json', label: pathLabel(leaf.path), value: JSON.stringify(leaf.value) });
        return { index: parts.length - 1, pointer: pointer(leaf.path) };
      });
      buildBody = (keep) => {
        if (indexes.length === 0) return request.body;
        const kept = new Set(indexes.filter((i) => keep.has(i.index)).map((i) => i.pointer));
        return Buffer.from(JSON.stringify(pruneJson(json, '', kept)), 'utf8');
      };
    } else if (contentType.startsWith('application/x-www-form-urlencoded')) {
      const fields = splitPairs(bodyText!).map((pair) => {
        parts.push({ kind: 'form', label: `form ${pairName(pair)}`, value: pair });
        return { index: parts.length - 1, pair };
      });
      buildBody = (keep) => Buffer.from(fields.filter((f) => keep.has(f.index)).map((f) => f.pair).join('&'), 'utf8');
    } else {
      const index = parts.length;
      parts.push({ kind: 'body', label: 'body', value: `${request.body.length} bytes` });
      buildBody = (keep) => (keep.has(index) ? request.body : undefined);
    }
  }

  return {
    method: request.method,
    target,
    parts,
    fixedHeaders,
    build(keep) {
      const headers: Array<[string, string]> = [...fixedHeaders];
      for (const slot of headerSlots) {
        if (slot.cookies) {
          const kept = slot.cookies.filter((i) => keep.has(i)).map((i) => parts[i]!.value);
          if (kept.length > 0) headers.push([slot.name, kept.join('; ')]);
        } else if (keep.has(slot.part!)) headers.push([slot.name, slot.value!]);
      }
      const query = queryParts.filter((i) => keep.has(i)).map((i) => parts[i]!.value).join('&');
      const built: BuiltRequest = { method: request.method, url: query ? `${target}?${query}` : target, headers };
      const body = buildBody(keep);
      if (body !== undefined) built.body = body;
      return built;
    },
  };
}
