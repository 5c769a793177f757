import type { z } from 'zod';
import type { ConfigPath, Target } from './locate.ts';
import { closest } from './suggest.ts';

/** A problem found in the config, before it is given a line and column. */
export interface PathIssue {
  path: ConfigPath;
  message: string;
  /** Which node of the source the message is about. */
  target: Target;
}

type ZodIssue = z.core.$ZodIssue;

/**
 * Turns zod's issues into messages that say what is wrong in the config's own terms,
 * each with the node to point at: the key for an unknown key, the holding object for a
 * missing field, the value otherwise. `raw` is the parsed YAML the schema saw.
 */
export function schemaIssues(issues: readonly ZodIssue[], raw: unknown, schema: z.core.$ZodType): PathIssue[] {
  const out: PathIssue[] = [];
  for (const issue of issues) {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeys(schema, path);
      for (const key of issue.keys) out.push({ path: [...path, key], message: unknownKey(key, known), target: 'key' });
      continue;
    }
    if (issue.code === 'invalid_key') {
      const inner = issue.issues[0];
      const why = inner && !inner.message.startsWith('Invalid') ? `: ${inner.message}` : '';
      out.push({ path, message: `invalid name ${quote(path[path.length - 1])}${why}`, target: 'key' });
      continue;
    }
    if (issue.code === 'invalid_type' && isMissing(raw, path)) {
      out.push({ path, message: `missing required field "${String(path[path.length - 1])}"`, target: 'parent' });
      continue;
    }
    out.push({ path, message: describeIssue(issue), target: 'value' });
  }
  return out;
}

function unknownKey(key: string, known: string[]): string {
  const guess = closest(key, known);
  const hint = guess ? `; did you mean "${guess}"?` : '';
  const allowed = known.length ? ` (allowed here: ${known.join(', ')})` : '';
  return `unknown key "${key}"${hint}${allowed}`;
}

function describeIssue(issue: ZodIssue): string {
  // Messages written in the schema (regex and startsWith checks) are already in the config's terms.
  const custom = !issue.message.startsWith('Invalid') && !issue.message.startsWith('Too ');
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${article(issue.expected)}, got ${describeValue(issue.input)}`;
    case 'too_big':
      return bound(issue.origin, 'at most', issue.maximum, issue.inclusive, 'less than', issue.input);
    case 'too_small':
      return bound(issue.origin, 'at least', issue.minimum, issue.inclusive, 'greater than', issue.input);
    case 'invalid_value': {
      const options = issue.values.map(String);
      const got = describeValue(issue.input);
      if (options.length <= 8) return `must be one of ${options.join(', ')} (got ${got})`;
      const guess = typeof issue.input === 'string' ? closest(issue.input, options) : undefined;
      return `${got} is not allowed${guess ? `; did you mean "${guess}"?` : ''}`;
    }
    case 'invalid_format':
      if (custom) return issue.message;
      if (issue.format === 'regex') return `must match ${issue.pattern} (got ${describeValue(issue.input)})`;
      if (issue.format === 'url') return `must be an absolute URL (got ${describeValue(issue.input)})`;
      return `must be a valid ${issue.format} (got ${describeValue(issue.input)})`;
    default:
      return issue.message;
  }
}

function bound(origin: string, word: string, limit: number | bigint, inclusive: boolean | undefined, strict: string, input: unknown): string {
  const got = ` (got ${describeValue(input)})`;
  if (origin === 'array') return `must have ${word} ${limit} item${limit === 1 ? '' : 's'}${got}`;
  if (origin === 'string') return `must be ${word} ${limit} character${limit === 1 ? '' : 's'} long${got}`;
  return inclusive === false ? `must be ${strict} ${limit}${got}` : `must be ${word} ${limit}${got}`;
}

function article(expected: string): string {
  const names: Record<string, string> = { int: 'an integer', object: 'a mapping (key: value)', array: 'a list', record: 'a mapping (key: value)' };
  return names[expected] ?? `a ${expected}`;
}

/** A short description of a value, for messages. Long strings are cut. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'nothing (null)';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? value.slice(0, 57) + '...' : value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `a list of ${value.length}`;
  return 'a mapping';
}

function quote(x: unknown): string {
  return JSON.stringify(String(x));
}

function isMissing(raw: unknown, path: ConfigPath): boolean {
  if (path.length === 0) return false;
  const parent = valueAt(raw, path.slice(0, -1));
  return typeof parent === 'object' && parent !== null && !Array.isArray(parent) && (parent as Record<string, unknown>)[path[path.length - 1]] === undefined;
}

export function valueAt(raw: unknown, path: ConfigPath): unknown {
  let v = raw;
  for (const step of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string | number, unknown>)[step];
  }
  return v;
}

/** The keys the schema allows in the object at `path`, for "did you mean" and "allowed here". */
export function knownKeys(schema: z.core.$ZodType, path: ConfigPath): string[] {
  let s: z.core.$ZodType | undefined = schema;
  for (const step of path) {
    s = unwrap(s);
    const def = s?._zod.def as { type: string; shape?: Record<string, z.core.$ZodType>; element?: z.core.$ZodType; valueType?: z.core.$ZodType } | undefined;
    if (def?.type === 'object') s = def.shape?.[String(step)];
    else if (def?.type === 'array') s = def.element;
    else if (def?.type === 'record') s = def.valueType;
    else return [];
  }
  const def = unwrap(s)?._zod.def as { type: string; shape?: Record<string, unknown> } | undefined;
  return def?.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}

/** Looks through default, prefault and optional wrappers to the schema inside. */
function unwrap(s: z.core.$ZodType | undefined): z.core.$ZodType | undefined {
  for (let i = 0; s && i < 10; i++) {
    const def = s._zod.def as { type: string; innerType?: z.core.$ZodType };
    if (!def.innerType || !['default', 'prefault', 'optional', 'nullable'].includes(def.type)) return s;
    s = def.innerType;
  }
  return s;
}
