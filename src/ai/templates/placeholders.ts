/**
 * {{placeholders}} in a template's prompt and system text. Hand-written rather than a template
 * engine (Mustache, Handlebars): a template only names variables — no helpers, no sections, no
 * partials, nothing that runs — and every name is checked against the variables schema at
 * load, which an engine would not do for us.
 *
 * Syntax: `{{name}}` or `{{a.b.0.c}}` (dots into objects, digits into arrays), with any
 * whitespace inside the braces. Every `{{...}}` in the text must be such a placeholder: a
 * stray one is a config error rather than literal text, so a typo cannot reach the model.
 */
import { closest } from '../../config/suggest.ts';

/** A template text cut once at load into literal text and variable paths. */
export type Piece = string | { path: readonly string[] };

/** What is wrong with a template text, in the config's terms. */
export interface PlaceholderProblem {
  message: string;
}

const PLACEHOLDER = /\{\{([^{}]*)\}\}/g;
const PATH = /^[A-Za-z0-9_$-]+(?:\.[A-Za-z0-9_$-]+)*$/;
const INDEX = /^(?:0|[1-9][0-9]*)$/;

/** Cuts `text` into pieces; problems for anything between {{ }} that is not a declared variable. */
export function parseTemplateText(text: string, variables: Record<string, unknown>): { pieces: Piece[]; problems: PlaceholderProblem[] } {
  const pieces: Piece[] = [];
  const problems: PlaceholderProblem[] = [];
  let last = 0;
  for (const m of text.matchAll(PLACEHOLDER)) {
    const inner = m[1].trim();
    if (m.index > last) pieces.push(text.slice(last, m.index));
    last = m.index + m[0].length;
    if (!PATH.test(inner)) {
      problems.push({ message: `${m[0]} is not a placeholder: write {{name}} or {{name.field}} (letters, digits, _ $ -, dots between names)` });
      continue;
    }
    const path = inner.split('.');
    const undeclared = undeclaredAt(variables, path);
    if (undeclared) problems.push({ message: undeclared });
    pieces.push({ path });
  }
  if (last < text.length) pieces.push(text.slice(last));
  return { pieces, problems };
}

/**
 * The text with every placeholder filled from `vars`: strings as they are, other values as
 * JSON, an absent (optional) variable as nothing. Values are inserted, never scanned again,
 * so a value that contains "{{x}}" stays that text.
 */
export function fill(pieces: readonly Piece[], vars: unknown): string {
  let out = '';
  for (const p of pieces) {
    if (typeof p === 'string') {
      out += p;
      continue;
    }
    const v = valueAt(vars, p.path);
    out += v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  }
  return out;
}

/** The value at `path`, through own properties and array indexes only (never the prototype chain). */
function valueAt(root: unknown, path: readonly string[]): unknown {
  let v: unknown = root;
  for (const seg of path) {
    if (Array.isArray(v)) {
      if (!INDEX.test(seg)) return undefined;
      v = v[Number(seg)];
    } else if (typeof v === 'object' && v !== null && Object.hasOwn(v, seg)) {
      v = (v as Record<string, unknown>)[seg];
    } else {
      return undefined;
    }
  }
  return v;
}

/**
 * Why `path` names no declared variable, or undefined when it does. At each level a name must
 * be one of the schema's properties (an index, the array's items); where the schema allows
 * other names (additionalProperties or patternProperties given as schemas) or combines schemas
 * (allOf, anyOf, oneOf, $ref...), what lies below cannot be known and is accepted.
 */
function undeclaredAt(variables: Record<string, unknown>, path: readonly string[]): string | undefined {
  let s: unknown = variables;
  for (let i = 0; i < path.length; i++) {
    if (!isObject(s)) return undefined;
    const seg = path[i];
    const props = isObject(s.properties) ? s.properties : {};
    if (Object.hasOwn(props, seg)) {
      s = props[seg];
      continue;
    }
    if (INDEX.test(seg) && (s.items !== undefined || s.type === 'array')) {
      // draft-07: items is one schema, or a tuple's list (then additionalItems past its end).
      s = Array.isArray(s.items) ? s.items[Number(seg)] ?? s.additionalItems : s.items;
      continue;
    }
    if (opensUp(s)) return undefined;
    const where = i === 0 ? 'variables' : `{{${path.slice(0, i).join('.')}}}`;
    const names = Object.keys(props).sort();
    const guess = closest(seg, names);
    const declared = names.length ? `${where} declares ${names.join(', ')}` : `${where} declares no properties`;
    return `{{${path.join('.')}}} names no declared variable (${declared})${guess ? `; did you mean {{${[...path.slice(0, i), guess].join('.')}}}?` : ''}`;
  }
  return undefined;
}

const COMBINERS = ['$ref', '$dynamicRef', 'allOf', 'anyOf', 'oneOf', 'if', 'dependentSchemas'];

function opensUp(s: Record<string, unknown>): boolean {
  if (isObject(s.additionalProperties) || s.additionalProperties === true) return true;
  if (isObject(s.patternProperties) && Object.keys(s.patternProperties).length > 0) return true;
  return COMBINERS.some((k) => s[k] !== undefined);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
