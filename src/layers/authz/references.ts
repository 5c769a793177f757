import type { Config } from '../../config/schema.ts';
import { ALWAYS_REDACTED_HEADERS, REDACTED } from '../../calllog/redact.ts';
import type { EvalContext } from '../../pipeline/types.ts';
import { duplicateKeys, onPath, pointerTokens, readPointer } from './json.ts';

/** A value sent more than once (a repeated query parameter or header, a duplicate JSON key): ambiguous. */
export const DUPLICATE = Symbol('duplicate');
export type Value = string | readonly string[] | undefined | typeof DUPLICATE;

export type Attributes = ReadonlyMap<string, Readonly<Record<string, string | readonly string[]>>>;

/**
 * What the rules of one request read, computed at most once each: the parsed query, the
 * body's duplicate keys. Created only on routes whose rules read the request.
 */
export class Inputs {
  private query?: URLSearchParams;
  private dups?: (string | number)[][];

  constructor(
    readonly ctx: EvalContext,
    private readonly attributes: Attributes,
  ) {}

  queryParam(name: string): Value {
    this.query ??= new URLSearchParams(this.ctx.req.query);
    const all = this.query.getAll(name);
    return all.length === 0 ? undefined : all.length === 1 ? all[0] : DUPLICATE;
  }

  header(name: string): Value {
    const raw = this.ctx.req.rawHeaders;
    if (raw) {
      let seen = 0;
      for (let i = 0; i < raw.length; i += 2) if (raw[i].length === name.length && raw[i].toLowerCase() === name) seen++;
      if (seen > 1) return DUPLICATE;
    }
    const v = this.ctx.req.headers[name];
    return Array.isArray(v) ? (v.length === 1 ? v[0] : DUPLICATE) : v;
  }

  body(tokens: readonly string[]): Value {
    const body = this.ctx.body;
    if (body?.json === undefined) return undefined;
    this.dups ??= duplicateKeys(body.bytes.toString('utf8'));
    if (this.dups.some((d) => onPath(d, tokens))) return DUPLICATE;
    const v = readPointer(body.json, tokens);
    return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
  }

  attribute(name: string): Value {
    const consumer = this.ctx.identity?.consumer;
    return consumer === undefined ? undefined : this.attributes.get(consumer)?.[name];
  }
}

/** A compiled reference (param:region, body:/currency, consumer:region, ...). */
export interface Ref {
  text: string;
  /** For the caller: "path parameter region", "body field /currency", "your attribute region". */
  label: string;
  /** Evidence location: "param:region", "body:/currency". */
  where: string;
  needsBody: boolean;
  /** A credential may travel in it: its value is never shown. */
  sensitive: boolean;
  read(inputs: Inputs): Value;
}

export interface RefContext {
  sensitiveHeaders: ReadonlySet<string>;
  sensitiveQuery: ReadonlySet<string>;
}

export function refContext(config: Config): RefContext {
  return {
    sensitiveHeaders: new Set([...ALWAYS_REDACTED_HEADERS, config.authn.apiKeys.header.toLowerCase(), ...config.log.redactHeaders.map((h) => h.toLowerCase())]),
    sensitiveQuery: new Set([config.authn.apiKeys.queryParam.toLowerCase(), ...config.log.redactQueryParams.map((q) => q.toLowerCase())]),
  };
}

/** Compiles a reference whose form the schema already checked. */
export function compileRef(text: string, rc: RefContext): Ref {
  if (text === 'consumer') return { text, label: 'your consumer name', where: 'consumer', needsBody: false, sensitive: false, read: (i) => i.ctx.identity?.consumer };
  if (text === 'tenant') return { text, label: 'your tenant', where: 'tenant', needsBody: false, sensitive: false, read: (i) => i.ctx.identity?.tenant };
  const colon = text.indexOf(':');
  const kind = text.slice(0, colon);
  const name = text.slice(colon + 1);
  switch (kind) {
    case 'param':
      return { text, label: `path parameter ${name}`, where: text, needsBody: false, sensitive: false, read: (i) => i.ctx.params?.[name] };
    case 'header': {
      const lower = name.toLowerCase();
      return { text, label: `header ${name}`, where: `header:${lower}`, needsBody: false, sensitive: rc.sensitiveHeaders.has(lower), read: (i) => i.header(lower) };
    }
    case 'query':
      return { text, label: `query parameter ${name}`, where: text, needsBody: false, sensitive: rc.sensitiveQuery.has(name.toLowerCase()), read: (i) => i.queryParam(name) };
    case 'body': {
      const tokens = pointerTokens(name);
      return { text, label: `body field ${name || '(the whole body)'}`, where: text, needsBody: true, sensitive: false, read: (i) => i.body(tokens) };
    }
    default:
      return { text, label: `your attribute ${name}`, where: text, needsBody: false, sensitive: false, read: (i) => i.attribute(name) };
  }
}

/** How a value is shown in operator evidence: quoted, cut short, never a secret. */
export function shown(ref: Ref | undefined, v: Value): string {
  if (v === undefined) return 'absent';
  if (v === DUPLICATE) return 'sent more than once';
  if (ref?.sensitive) return REDACTED;
  if (typeof v !== 'string') return `[${v.map((x) => JSON.stringify(x.slice(0, 60))).join(', ')}]`;
  return JSON.stringify(v.length > 100 ? v.slice(0, 100) + '…' : v);
}

/** The consumers' attributes, by consumer name. */
export function consumerAttributes(config: Config): Attributes {
  const out = new Map<string, Record<string, string | readonly string[]>>();
  for (const [name, c] of Object.entries(config.consumers)) out.set(name, c.attributes);
  return out;
}
