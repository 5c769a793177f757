import type { RequestDescription } from '../../pipeline/types.ts';
import type { CompiledRule } from './compile.ts';
import type { Field, FieldKind } from './fields.ts';
import { TRANSFORMS, type TransformName, type Transformed } from './transforms.ts';

/**
 * The inspection engine: runs the rules of one paranoia level over the fields of a request.
 * Rules that share targets and transformations are grouped, so each field is transformed
 * once per chain; the regular expressions of a group are also joined into one prefilter,
 * so a clean value costs one scan per chain, not one per rule.
 */

export interface RuleMatch {
  rule: CompiledRule;
  field: Field;
  /** The matched text (unredacted: the denial redacts it). */
  fragment: string;
  /** Transformations that changed the value before it matched. */
  applied: readonly string[];
  /** Other fields the same rule matched (it scores once). */
  alsoIn: number;
}

interface Group {
  chain: readonly TransformName[];
  /** Cache keys of each prefix of the chain. */
  keys: readonly string[];
  /** Regex and phrase rules; the prefilter matches whenever one of them can. */
  patterns: CompiledRule[];
  prefilter?: RegExp;
  /** Detector rules (run on every value). */
  detectors: CompiledRule[];
}

export interface LevelPlan {
  paranoia: number;
  rules: readonly CompiledRule[];
  byKind: ReadonlyMap<FieldKind, Group[]>;
  counting: readonly CompiledRule[];
  whole: readonly CompiledRule[];
  /** Whether any rule of this level inspects body fields. */
  readsBody: boolean;
}

export function planLevel(all: readonly CompiledRule[], paranoia: number): LevelPlan {
  const rules = all.filter((r) => r.paranoia <= paranoia);
  const byKind = new Map<FieldKind, Group[]>();
  for (const rule of rules) {
    if (!rule.test) continue;
    for (const kind of rule.kinds) {
      let groups = byKind.get(kind);
      if (!groups) byKind.set(kind, (groups = []));
      let g = groups.find((x) => x.chain.join(',') === rule.chainKey);
      if (!g) {
        g = { chain: rule.chain, keys: rule.chain.map((_, i) => rule.chain.slice(0, i + 1).join(',')), patterns: [], detectors: [] };
        groups.push(g);
      }
      (rule.source ? g.patterns : g.detectors).push(rule);
    }
  }
  for (const groups of byKind.values()) {
    for (const g of groups) if (g.patterns.length > 1) g.prefilter = new RegExp(g.patterns.map((r) => `(?:${r.source})`).join('|'));
  }
  const readsBody = rules.some((r) => r.kinds.has('body.value') || r.kinds.has('body.name'));
  return { paranoia, rules, byKind, counting: rules.filter((r) => r.countLimit !== undefined), whole: rules.filter((r) => r.request), readsBody };
}

/** Which rules do not apply to which fields on a route. */
export type Excluded = (rule: CompiledRule, field: Field | undefined) => boolean;

const NONE: Excluded = () => false;

export interface Inspection {
  score: number;
  matches: RuleMatch[];
}

export function inspect(plan: LevelPlan, req: RequestDescription, fields: readonly Field[], excluded: Excluded = NONE): Inspection {
  const found = new Map<string, RuleMatch>();
  const record = (rule: CompiledRule, field: Field, fragment: string, applied: readonly string[]) => {
    if (excluded(rule, field)) return;
    const seen = found.get(rule.id);
    if (seen) seen.alsoIn++;
    else found.set(rule.id, { rule, field, fragment, applied, alsoIn: 0 });
  };
  for (const rule of plan.whole) {
    const fragment = rule.request!(req);
    if (fragment !== undefined) record(rule, { kind: 'header', name: 'request', value: '' }, fragment, []);
  }
  for (const rule of plan.counting) {
    let n = 0;
    for (const f of fields) if (rule.kinds.has(f.kind)) n++;
    if (n > rule.countLimit!) record(rule, { kind: [...rule.kinds][0], name: kindLabel(rule), value: '' }, `${n} fields (limit ${rule.countLimit})`, []);
  }
  for (const field of fields) {
    const groups = plan.byKind.get(field.kind);
    if (!groups) continue;
    const cache = new Map<string, Transformed>();
    for (const g of groups) {
      const t = transformed(cache, field.value, g);
      if (g.patterns.length && (!g.prefilter || g.prefilter.test(t.value))) {
        for (const rule of g.patterns) {
          if (rule.headers && field.header !== undefined && !rule.headers.has(field.header)) continue;
          const fragment = rule.test!(t.value, field.raw);
          if (fragment !== undefined) record(rule, field, fragment, t.applied);
        }
      }
      for (const rule of g.detectors) {
        if (rule.headers && field.header !== undefined && !rule.headers.has(field.header)) continue;
        const fragment = rule.test!(t.value, field.raw);
        if (fragment !== undefined) record(rule, field, fragment, t.applied);
      }
    }
  }
  const matches = [...found.values()];
  let score = 0;
  for (const m of matches) score += m.rule.score;
  return { score, matches };
}

function kindLabel(rule: CompiledRule): string {
  return [...rule.kinds].map((k) => k.replace('.value', '').replace('.name', ' names')).join(' + ');
}

const UNCHANGED: Transformed = { value: '', applied: [] };

/** The value after the group's chain, reusing what an earlier group computed for a prefix. */
function transformed(cache: Map<string, Transformed>, value: string, g: Group): Transformed {
  const n = g.chain.length;
  if (n === 0) return value === UNCHANGED.value ? UNCHANGED : { value, applied: UNCHANGED.applied };
  let k = n;
  let cur: Transformed | undefined;
  while (k > 0 && !(cur = cache.get(g.keys[k - 1]))) k--;
  if (!cur) cur = { value, applied: UNCHANGED.applied };
  for (let i = k; i < n; i++) {
    const name = g.chain[i];
    const next = TRANSFORMS[name](cur.value);
    cur = next === cur.value ? cur : { value: next, applied: [...cur.applied, name] };
    cache.set(g.keys[i], cur);
  }
  return cur;
}
