import { errorsOf, newAjv, type FieldError } from '../../layers/body/validate.ts';
import type { TemplateConfig } from '../schema.ts';
import { parseTemplateText, type Piece } from './placeholders.ts';

/** A template's parts ready for calls: its schemas compiled, its texts cut into pieces. */
export interface TemplateCore {
  /** The body's errors against the variables schema (empty: valid), first one first. */
  variables(body: unknown): FieldError[];
  /** json mode: the output's errors against the output schema. */
  output?: (value: unknown) => FieldError[];
  system?: Piece[];
  prompt: Piece[];
}

/** A problem of a template's config; `path` is relative to the template (['variables'], ['prompt']). */
export interface TemplateProblem {
  path: (string | number)[];
  message: string;
}

export type Compiled = { ok: true; core: TemplateCore } | { ok: false; problems: TemplateProblem[] };

/** Keyed on the template's config object: one compile per config revision, shared by validate and serving. */
const compiled = new WeakMap<TemplateConfig, Compiled>();

export function compileTemplate(template: TemplateConfig): Compiled {
  let c = compiled.get(template);
  if (!c) {
    c = compile(template);
    compiled.set(template, c);
  }
  return c;
}

function compile(t: TemplateConfig): Compiled {
  const problems: TemplateProblem[] = [];
  // One ajv per template: it holds on to every schema it compiled, so a shared one would keep
  // the schemas of every config revision ever loaded.
  const ajv = newAjv(true);
  const schema = (s: Record<string, unknown>, path: string[], what: string) => {
    try {
      const fn = ajv.compile(s);
      return (v: unknown) => errorsOf(fn, v);
    } catch (err) {
      problems.push({ path, message: `the ${what} schema does not compile: ${(err as Error).message}` });
      return undefined;
    }
  };

  if (t.variables.type !== 'object') {
    problems.push({ path: ['variables'], message: 'variables must be the JSON Schema of an object (type: object): the request body is an object of the variables' });
  }
  const variables = schema(t.variables, ['variables'], 'variables');
  const output = t.output.mode === 'json' ? schema(t.output.schema, ['output', 'schema'], 'output') : undefined;
  const text = (s: string, key: 'system' | 'prompt') => {
    const { pieces, problems: found } = parseTemplateText(s, t.variables);
    for (const p of found) problems.push({ path: [key], message: p.message });
    return pieces;
  };
  const system = t.system === undefined ? undefined : text(t.system, 'system');
  const prompt = text(t.prompt, 'prompt');
  if (problems.length || !variables) return { ok: false, problems };
  return { ok: true, core: { variables, output, system, prompt } };
}
