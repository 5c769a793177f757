/**
 * Reading a client's JSON body against a zod schema of its wire format, with refusals that
 * name the JSON path in the client's terms ('messages[2].content[0].image_url') and say what
 * was expected and what came.
 */
import type { z } from 'zod';
import { AiRequestError } from '../types.ts';

type Issue = z.core.$ZodIssue;
type Key = PropertyKey;

/** The body as the schema reads it, or an AiRequestError for the first thing that does not fit. */
export function parseWire<S extends z.ZodType>(schema: S, json: unknown): z.output<S> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new AiRequestError('', `the body must be a JSON object, got ${describeValue(json)}`);
  const result = schema.safeParse(json, { reportInput: true });
  if (result.success) return result.data;
  const { path, issue } = mostSpecific(result.error.issues[0]!, []);
  throw new AiRequestError(jsonPath(path), describeIssue(issue));
}

/** ['messages', 2, 'content'] → 'messages[2].content' */
export function jsonPath(path: readonly Key[]): string {
  let out = '';
  for (const step of path) out += typeof step === 'number' ? `[${step}]` : `${out ? '.' : ''}${String(step)}`;
  return out;
}

/**
 * A union that failed (content: string | parts[]) says only "Invalid input"; the useful issue
 * is inside the branch that got furthest into the value (the deepest path).
 */
function mostSpecific(issue: Issue, base: readonly Key[]): { path: Key[]; issue: Issue } {
  const path = [...base, ...issue.path];
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return { path, issue };
  const firsts = issue.errors.map((branch) => branch[0]).filter((i): i is Issue => i !== undefined);
  if (firsts.every((i) => i.code === 'invalid_type' && i.path.length === 0)) return { path, issue };
  const deepest = firsts.reduce((a, b) => (b.path.length > a.path.length ? b : a));
  return mostSpecific(deepest, path);
}

function describeIssue(issue: Issue): string {
  // A message written in a schema is already in the client's terms; zod's own start so.
  if (!/^(Invalid|Too (small|big))\b/.test(issue.message)) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'is required' : `expected ${article(issue.expected)}, got ${describeValue(issue.input)}`;
    case 'invalid_union': {
      if (issue.discriminator !== undefined && 'options' in issue) {
        // zod reports the whole object as input; the discriminator's value is what the client got wrong.
        const key = issue.discriminator;
        const input = issue.input;
        const value = typeof input === 'object' && input !== null && key in input ? (input as Record<string, unknown>)[key] : input;
        return `unsupported ${key} ${describeValue(value)}; supported here: ${(issue.options ?? []).map(String).join(', ')}`;
      }
      if (issue.input === undefined) return 'is required';
      const expected = issue.errors.map((b) => (b[0]?.code === 'invalid_type' ? article(b[0].expected) : 'another shape'));
      return `expected ${[...new Set(expected)].join(' or ')}, got ${describeValue(issue.input)}`;
    }
    case 'too_small':
      if (issue.origin === 'array') return `must have at least ${issue.minimum} item${issue.minimum === 1 ? '' : 's'}`;
      if (issue.origin === 'string') return issue.minimum === 1 ? 'must not be empty' : `must be at least ${issue.minimum} characters long`;
      return `must be ${issue.inclusive === false ? 'greater than' : 'at least'} ${issue.minimum} (got ${describeValue(issue.input)})`;
    case 'too_big':
      if (issue.origin === 'array') return `must have at most ${issue.maximum} items`;
      if (issue.origin === 'string') return `must be at most ${issue.maximum} characters long`;
      return `must be ${issue.inclusive === false ? 'less than' : 'at most'} ${issue.maximum} (got ${describeValue(issue.input)})`;
    case 'invalid_value':
      return `must be ${issue.values.length === 1 ? '' : 'one of '}${issue.values.map((v) => JSON.stringify(v)).join(', ')} (got ${describeValue(issue.input)})`;
    default:
      return issue.message;
  }
}

function article(expected: string): string {
  const names: Record<string, string> = { int: 'an integer', object: 'an object', array: 'an array', record: 'an object' };
  return names[expected] ?? `a ${expected}`;
}

/** A short description of a JSON value, for messages; long strings are cut. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 37) + '...' : value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return 'an object';
}

/** The object without its undefined members, so canonical requests hold only what the client set. */
export function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** A request member the gateway cannot honour, refused rather than silently dropped. */
export interface Unsupported {
  path: string;
  /** True when the body asks for it (the raw JSON body, before the schema). */
  when: (body: Record<string, unknown>) => boolean;
  why: string;
}

export function refuseUnsupported(json: unknown, rules: readonly Unsupported[]): void {
  if (typeof json !== 'object' || json === null) return;
  for (const r of rules) if (r.when(json as Record<string, unknown>)) throw new AiRequestError(r.path, r.why);
}

/**
 * A tool result given as content parts, as the one string the canonical shape holds: text
 * parts joined by newlines; any other part (an image) is refused, since it cannot be carried.
 */
export function toolResultText(parts: readonly { type: string; text?: string }[], textType: string, at: string): string {
  return parts
    .map((p, i) => {
      if (p.type !== textType || p.text === undefined) throw new AiRequestError(`${at}[${i}]`, 'a tool result can carry only text through the gateway');
      return p.text;
    })
    .join('\n');
}
