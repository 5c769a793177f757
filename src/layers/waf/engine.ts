import type { RequestDescription } from '../../pipeline/types.ts';
import type { CompiledRule } from './compile.ts';
import type { Field, FieldKind } from './fields.ts';
import { applyChain, TRANSFORMS, type TransformName } from './transforms.ts';

/**
 * The inspection engine: runs the rules of one paranoia level over the fields of a request.
 * Rules that share targets and transformations are grouped, and the chains of all groups form
 * one tree of prefixes, so each field is transformed once per distinct prefix (the groups that
 * start with urlDecode, htmlEntityDecode, normalize share that work). The regular expressions
 * of a group are joined into one prefilter, so a clean value costs one scan per chain, not one
 * per rule. Nothing is allocated per field beyond what the transformations return: which of
 * them changed the value is worked out again only for a match.
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
  /** The node of the chain in the level's tree of chain prefixes (-1: no transformation). */
  node: number;
  /** Regex and phrase rules; the prefilter matches whenever one of them can. */
  patterns: CompiledRule[];
  prefilter?: RegExp;
  /** Detector rules (run on every value). */
  detectors: CompiledRule[];
}

/** One transformation applied to the value of its parent node (-1: the field's value). */
interface ChainNode {
  transform: TransformName;
  parent: number;
}

export interface LevelPlan {
  paranoia: number;
  /** The tree of chain prefixes of every group, parents before children. */
  nodes: readonly ChainNode[];
  rules: readonly CompiledRule[];
  byKind: ReadonlyMap<FieldKind, Group[]>;
  counting: readonly CompiledRule[];
  whole: readonly CompiledRule[];
  /** Whether any rule of this level inspects body fields. */
  readsBody: boolean;
}

export function planLevel(all: readonly CompiledRule[], paranoia: number): LevelPlan {
  const rules = all.filter((r) => r.paranoia <= paranoia);
  const nodes: ChainNode[] = [];
  const nodeIds = new Map<string, number>();
  const nodeOf = (chain: readonly TransformName[]): number => {
    let node = -1;
    for (let i = 0; i < chain.length; i++) {
      const key = chain.slice(0, i + 1).join(',');
      let id = nodeIds.get(key);
      if (id === undefined) {
        nodeIds.set(key, (id = nodes.length));
        nodes.push({ transform: chain[i], parent: node });
      }
      node = id;
    }
    return node;
  };
  const byKind = new Map<FieldKind, Group[]>();
  for (const rule of rules) {
    if (!rule.test) continue;
    for (const kind of rule.kinds) {
      let groups = byKind.get(kind);
      if (!groups) byKind.set(kind, (groups = []));
      let g = groups.find((x) => x.chain.join(',') === rule.chainKey);
      if (!g) {
        g = { chain: rule.chain, node: nodeOf(rule.chain), patterns: [], detectors: [] };
        groups.push(g);
      }
      (rule.source ? g.patterns : g.detectors).push(rule);
    }
  }
  for (const groups of byKind.values()) {
    for (const g of groups) if (g.patterns.length > 1) g.prefilter = new RegExp(g.patterns.map((r) => `(?:${r.source})`).join('|'));
  }
  const readsBody = rules.some((r) => r.kinds.has('body.value') || r.kinds.has('body.name'));
  return { paranoia, rules, nodes, byKind, counting: rules.filter((r) => r.countLimit !== undefined), whole: rules.filter((r) => r.request), readsBody };
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
  const matched = (rule: CompiledRule, field: Field, fragment: string) => record(rule, field, fragment, applyChain(field.value, rule.chain).applied);
  for (const rule of plan.whole) {
    const fragment = rule.request!(req);
    if (fragment !== undefined) record(rule, { kind: 'header', name: 'request', value: '' }, fragment, []);
  }
  for (const rule of plan.counting) {
    let n = 0;
    for (const f of fields) if (rule.kinds.has(f.kind)) n++;
    if (n > rule.countLimit!) record(rule, { kind: [...rule.kinds][0], name: kindLabel(rule), value: '' }, `${n} fields (limit ${rule.countLimit})`, []);
  }
  const chains = new ChainValues(plan.nodes);
  for (const field of fields) {
    const groups = plan.byKind.get(field.kind);
    if (!groups) continue;
    chains.reset(field.value);
    for (const g of groups) {
      const value = chains.value(g.node);
      if (g.patterns.length && (!g.prefilter || g.prefilter.test(value))) {
        for (const rule of g.patterns) {
          if (rule.headers && field.header !== undefined && !rule.headers.has(field.header)) continue;
          const fragment = rule.test!(value, field.raw);
          if (fragment !== undefined) matched(rule, field, fragment);
        }
      }
      for (const rule of g.detectors) {
        if (rule.headers && field.header !== undefined && !rule.headers.has(field.header)) continue;
        const fragment = rule.test!(value, field.raw);
        if (fragment !== undefined) matched(rule, field, fragment);
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

/** The values of one field at each node of the chain tree, computed when first asked for. */
class ChainValues {
  private readonly values: string[];
  private readonly done: Uint8Array;
  private field = '';

  constructor(private readonly nodes: readonly ChainNode[]) {
    this.values = new Array<string>(nodes.length).fill('');
    this.done = new Uint8Array(nodes.length);
  }

  reset(field: string): void {
    this.field = field;
    this.done.fill(0);
  }

  value(node: number): string {
    if (node < 0) return this.field;
    if (this.done[node]) return this.values[node];
    const n = this.nodes[node];
    const v = TRANSFORMS[n.transform](this.value(n.parent));
    this.values[node] = v;
    this.done[node] = 1;
    return v;
  }
}
