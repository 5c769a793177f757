import type { RequestDescription } from '../../pipeline/types.ts';
import { VALUE_DETECTORS, REQUEST_DETECTORS } from './detectors.ts';
import type { FieldKind } from './fields.ts';
import type { Family, Rule, RuleFile } from './rule-file.ts';
import type { TransformName } from './transforms.ts';

/** A rule ready to run: its operator compiled, its targets resolved to field kinds. */
export interface CompiledRule {
  id: string;
  name: string;
  family: Family;
  paranoia: number;
  score: number;
  kinds: ReadonlySet<FieldKind>;
  /** Only these headers, when the rule names single headers (header:<name>). */
  headers?: ReadonlySet<string>;
  /** Also (or only) a whole-request check. */
  request?: (req: RequestDescription) => string | undefined;
  chain: readonly TransformName[];
  chainKey: string;
  /** The matched fragment, or undefined. Runs on the transformed value (or the raw one for encoding detectors). */
  test?: (value: string, raw: string | undefined) => string | undefined;
  /** For moreThan: a limit on how many fields of the rule's kinds a request has. */
  countLimit?: number;
  /** The source of a regex, or of the expression that stands for a phrase list (prefilter). */
  source?: string;
  /** The detector's name, for a detector rule. */
  detector?: string;
}

const TARGET_KINDS: Record<string, FieldKind[]> = {
  path: ['path'],
  'query.names': ['query.name'],
  'query.values': ['query.value'],
  'body.names': ['body.name'],
  'body.values': ['body.value'],
  args: ['query.value', 'body.value'],
  'args.names': ['query.name', 'body.name'],
  headers: ['header'],
  'header.names': ['header.name'],
  'cookies.names': ['cookie.name'],
  'cookies.values': ['cookie.value'],
};

/** A rule whose operator does not compile; the message names the rule. */
export class RuleCompileError extends Error {}

export function compileRules(files: readonly RuleFile[]): CompiledRule[] {
  return files.flatMap((f) => f.rules.map((r) => compileRule(r, f.family)));
}

export function compileRule(r: Rule, family: Family): CompiledRule {
  const kinds = new Set<FieldKind>();
  const headers = new Set<string>();
  let wholeRequest = false;
  for (const t of r.targets) {
    if (t === 'request') wholeRequest = true;
    else if (t.startsWith('header:')) {
      kinds.add('header');
      headers.add(t.slice('header:'.length));
    } else for (const k of TARGET_KINDS[t]) kinds.add(k);
  }
  if (headers.size && r.targets.includes('headers')) headers.clear();
  const base: CompiledRule = {
    id: r.id,
    name: r.name,
    family,
    paranoia: r.paranoia,
    score: r.score,
    kinds,
    headers: headers.size ? headers : undefined,
    chain: r.transforms,
    chainKey: r.transforms.join(','),
  };
  const m = r.match;
  if ('regex' in m) {
    const re = compileRegex(r.id, m.regex);
    return { ...base, source: m.regex, test: (v) => re.exec(v)?.[0] };
  }
  if ('phrases' in m || 'words' in m) {
    const words = 'words' in m;
    const list = words ? m.words : m.phrases;
    const source = phraseSource(list, words);
    const re = compileRegex(r.id, source);
    return { ...base, source, test: (v) => re.exec(v)?.[0] };
  }
  if (m.detector === 'moreThan') {
    if (m.max === undefined) throw new RuleCompileError(`rule ${r.id}: detector moreThan needs max`);
    return { ...base, countLimit: m.max };
  }
  if (m.detector === 'conflictingLength') {
    if (!wholeRequest) throw new RuleCompileError(`rule ${r.id}: detector ${m.detector} inspects the whole request; its target is request`);
    return { ...base, request: REQUEST_DETECTORS[m.detector] };
  }
  const detector = VALUE_DETECTORS[m.detector as keyof typeof VALUE_DETECTORS];
  if (!detector) throw new RuleCompileError(`rule ${r.id}: detector ${m.detector} is not known`);
  if (m.detector === 'longerThan' && m.max === undefined) throw new RuleCompileError(`rule ${r.id}: detector longerThan needs max`);
  const max = m.max ?? 0;
  return { ...base, detector: m.detector, test: (v, raw) => detector(v, raw, max) };
}

function compileRegex(id: string, source: string): RegExp {
  try {
    return new RegExp(source);
  } catch (err) {
    throw new RuleCompileError(`rule ${id}: ${(err as Error).message}`, { cause: err });
  }
}

export function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** A phrase list as one alternation of literals (linear: no quantifiers at all). */
function phraseSource(list: readonly string[], words: boolean): string {
  const alt = [...list].sort((a, b) => b.length - a.length).map(escapeRegex).join('|');
  return words ? `(?<![a-z0-9_])(?:${alt})(?![a-z0-9_])` : `(?:${alt})`;
}
