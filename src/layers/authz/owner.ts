import type { Config } from '../../config/schema.ts';
import { ConfigPathError } from './errors.ts';
import { pointerTokens } from './json.ts';
import type { LookupRequest } from './lookup.ts';
import { DUPLICATE, shown, type Inputs } from './references.ts';
import type { OwnerConfig } from './schema.ts';

/**
 * Resource ownership (BOLA): where the owner of the resource is read, and how. A value read
 * from the request must be unambiguous: what the gateway compares must be what the upstream
 * acts on, so forms that an upstream may read differently are refused, not guessed at.
 */

export type Unclear = { unclear: string; observed: string };
export type OwnerRead = { value: string } | Unclear;

export interface OwnerSource {
  /** Evidence location: "param:user", "body:/owner", "query:owner". */
  where: string;
  /** For the caller: "the path", "the body field /owner". */
  label: string;
  read(inputs: Inputs): OwnerRead;
}

export interface LookupPlan {
  service: string;
  urls: readonly string[];
  /** The path split at its {param} slots: text, then a param reader, alternately. */
  parts: (string | OwnerSource)[];
  field: string[];
  cacheTtlMs: number;
  notFoundTtlMs: number;
  timeoutMs: number;
}

/** The owner read from the gateway's ownership records (src/store/owners.ts). */
export interface StorePlan {
  resource: string;
  /** The path parameter holding the resource id, read as the owner parameters are. */
  id: OwnerSource;
  foundMs: number;
  missingMs: number;
  /** Methods whose 2xx answer deletes the resource: its record is removed after the answer (src/server/owner-record.ts). */
  release: ReadonlySet<string>;
}

export interface OwnerPlan {
  is: 'consumer' | 'tenant';
  sources: OwnerSource[];
  lookup?: LookupPlan;
  store?: StorePlan;
  needsBody: boolean;
}

export function compileOwner(o: OwnerConfig, config: Config, routeIndex: number): OwnerPlan {
  const route = config.routes[routeIndex];
  const path = ['routes', routeIndex, 'authz', 'owner'];
  const sources: OwnerSource[] = [];
  if (o.param !== undefined) sources.push(paramSource(o.param, route.paths, [...path, 'param']));
  if (o.query !== undefined) sources.push(querySource(o.query));
  if (o.body !== undefined) sources.push(bodySource(o.body));
  let lookup: LookupPlan | undefined;
  if (o.lookup) {
    const l = o.lookup;
    const service = config.services[l.service];
    if (!service) throw new ConfigPathError(`owner lookup names service ${JSON.stringify(l.service)}, which is not defined under services`, [...path, 'lookup', 'service']);
    const parts: (string | OwnerSource)[] = [];
    l.path.split(/\{([A-Za-z0-9_]+)\}/).forEach((piece, i) => {
      parts.push(i % 2 === 0 ? piece : paramSource(piece, route.paths, [...path, 'lookup', 'path']));
    });
    lookup = {
      service: l.service,
      urls: service.upstreams.map((u) => u.url),
      parts,
      field: pointerTokens(l.field),
      cacheTtlMs: l.cacheTtlS * 1000,
      notFoundTtlMs: l.notFoundTtlS * 1000,
      timeoutMs: l.timeoutMs,
    };
  }
  const unserved = o.record && route.methods ? o.record.methods.filter((m) => !route.methods!.includes(m as never)) : [];
  if (unserved.length) throw new ConfigPathError(`owner.record names ${unserved.join(', ')}, which route ${route.id} does not serve (methods: ${route.methods!.join(', ')}): nothing would ever be recorded`, [...path, 'record', 'methods']);
  const unreleased = o.store && route.methods ? o.store.release.filter((m) => !route.methods!.includes(m as never)) : [];
  if (unreleased.length) throw new ConfigPathError(`owner.store.release names ${unreleased.join(', ')}, which route ${route.id} does not serve (methods: ${route.methods!.join(', ')}): no record would ever be released`, [...path, 'store', 'release']);
  const store: StorePlan | undefined = o.store && {
    resource: o.store.resource,
    id: { ...paramSource(o.store.param, route.paths, [...path, 'store', 'param']), label: 'the resource id in the path' },
    foundMs: o.store.cacheTtlS * 1000,
    missingMs: o.store.notFoundTtlS * 1000,
    release: new Set(o.store.release),
  };
  return { is: o.is, sources, lookup, store, needsBody: o.body !== undefined };
}

/** The lookup's GET for this request, or why its path cannot be filled in. */
export function lookupRequest(plan: LookupPlan, inputs: Inputs, dryRun: boolean): LookupRequest | { source: OwnerSource; read: Unclear } {
  let path = '';
  for (const part of plan.parts) {
    if (typeof part === 'string') {
      path += part;
      continue;
    }
    const read = part.read(inputs);
    if ('unclear' in read) return { source: part, read };
    path += encodeURIComponent(read.value);
  }
  return { service: plan.service, urls: plan.urls, path, field: plan.field, cacheTtlMs: plan.cacheTtlMs, notFoundTtlMs: plan.notFoundTtlMs, timeoutMs: plan.timeoutMs, dryRun };
}

/**
 * A path parameter, read from the raw path by its segment (so the value is the one the
 * upstream receives) and refused when its form is ambiguous. It must be a whole segment of
 * every path of the route, and named once in each.
 */
function paramSource(name: string, patterns: readonly string[], where: (string | number)[]): OwnerSource {
  const index = new Map<string, number>();
  for (const pattern of patterns) {
    const segments = pattern.split('/');
    const at = segments.flatMap((s, i) => (s === `:${name}` || (s.startsWith(`:${name}(`) && s.endsWith(')')) ? [i] : []));
    const named = segments.filter((s) => new RegExp(`(^|[^A-Za-z0-9_]):${name}(?![A-Za-z0-9_])`).test(s)).length;
    if (named > 1) throw new ConfigPathError(`path ${pattern} names parameter ${name} more than once: the gateway and the upstream could read different ones`, where);
    if (at.length !== 1) throw new ConfigPathError(`the owner parameter ${name} must be a whole segment (/:${name}/) of every path of the route; ${pattern} has none`, where);
    index.set(canonical(pattern), at[0]);
  }
  const patternIndex = new Map<string, number>();
  return {
    where: `param:${name}`,
    label: 'the path',
    read(inputs) {
      const pattern = inputs.ctx.match?.entry.pattern ?? '';
      let i = patternIndex.get(pattern);
      if (i === undefined) {
        i = index.get(canonical(pattern)) ?? -1;
        patternIndex.set(pattern, i);
      }
      return canonicalSegment(segmentAt(inputs.ctx.req.path, i));
    },
  };
}

function querySource(name: string): OwnerSource {
  return {
    where: `query:${name}`,
    label: `the query parameter ${name}`,
    read(inputs) {
      const v = inputs.queryParam(name);
      if (v === DUPLICATE) return { unclear: `query parameter ${name} is sent more than once`, observed: shown(undefined, v) };
      if (typeof v !== 'string' || v === '') return { unclear: `query parameter ${name} is absent`, observed: 'absent' };
      return { value: v };
    },
  };
}

function bodySource(pointer: string): OwnerSource {
  const tokens = pointerTokens(pointer);
  return {
    where: `body:${pointer}`,
    label: `the body field ${pointer}`,
    read(inputs) {
      const v = inputs.body(tokens);
      if (v === DUPLICATE) return { unclear: `a key on the way to body field ${pointer} appears twice in the JSON body`, observed: 'duplicate key' };
      if (typeof v !== 'string' || v === '') {
        const json = inputs.ctx.body?.json !== undefined;
        return { unclear: json ? `body field ${pointer} is absent or not a text` : 'the body is not JSON', observed: json ? 'absent' : `no JSON body (${inputs.ctx.body?.mediaType || 'no content type'})` };
      }
      return { value: v };
    },
  };
}

/** "/users/:user/orders" and "/users/:id/orders/" are the same pattern to the router. */
function canonical(pattern: string): string {
  return pattern.replace(/:[A-Za-z0-9_]+(\([^/]*\))?/g, ':').replace(/\/+$/, '') || '/';
}

/** The i-th segment of a raw path (split at '/'; 0 is the empty one before the first slash). */
function segmentAt(path: string, i: number): string | undefined {
  if (i < 0) return undefined;
  let start = 0;
  for (let n = 0; n < i; n++) {
    start = path.indexOf('/', start) + 1;
    if (start === 0) return undefined;
  }
  const end = path.indexOf('/', start);
  return end === -1 ? path.slice(start) : path.slice(start, end);
}

/** An unreserved character (RFC 3986 §2.3: ALPHA, DIGIT, - . _ ~) written as %XX. */
const ENCODED_UNRESERVED = /%(3[0-9]|4[1-9A-Fa-f]|5[0-9Aa]|6[1-9A-Fa-f]|7[0-9Aa]|2[DdEe]|5[Ff]|7[Ee])/;

/**
 * The value of a raw path segment, or why it is ambiguous: an encoded slash or backslash
 * (an upstream that decodes before routing sees other segments), an unreserved character
 * percent-encoded (%61lice: the same name to one reader, another to the next), a
 * double encoding (%2561), or bytes that are not UTF-8.
 */
export function canonicalSegment(raw: string | undefined): OwnerRead {
  if (raw === undefined || raw === '') return { unclear: 'the path has no owner segment', observed: 'absent' };
  if (raw.indexOf('%') === -1) return { value: raw };
  const observed = JSON.stringify(raw.slice(0, 100));
  if (ENCODED_UNRESERVED.test(raw)) return { unclear: 'the owner segment percent-encodes a character that needs no encoding', observed };
  let value: string;
  try {
    value = decodeURIComponent(raw);
  } catch {
    return { unclear: 'the owner segment is not valid UTF-8 once decoded', observed };
  }
  if (value.includes('/') || value.includes('\\')) return { unclear: 'the owner segment contains an encoded slash', observed };
  if (/%[0-9A-Fa-f]{2}/.test(value)) return { unclear: 'the owner segment is encoded twice', observed };
  return { value };
}

/** Roles that may act for other consumers of their tenant, per role table. */
export function actingRoles(tables: Iterable<[string, ReadonlyMap<string, { actFor: string }>]>): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const [key, table] of tables) out.set(key, new Set([...table.entries()].filter(([, r]) => r.actFor === 'tenant').map(([n]) => n)));
  return out;
}

