import type { RequestDescription } from '../../pipeline/types.ts';
import { ChainTree, ChainValues, type ChainNode } from './chain-tree.ts';
import type { CompiledRule } from './compile.ts';
import { FIELD_KINDS, type Field, type FieldKind, type FieldView, type FieldVisitor } from './fields.ts';
import { IDENTITY_ON_PLAIN, NOT_PLAIN_VALUE, PLAIN, PlainGate, type Condition, type PlainNeeds } from './plain-gate.ts';
import { applyChain, type TransformName } from './transforms.ts';

/**
 * The inspection engine: runs the rules of one paranoia level over the fields of a request.
 * Rules that share targets and transformations are grouped, and the chains of all groups form
 * one tree of prefixes, so each field is transformed once per distinct prefix (the groups that
 * start with urlDecode, htmlEntityDecode, normalize share that work). The regular expressions
 * of a group are joined into one prefilter, so a clean value costs one scan per chain, not one
 * per rule. Nothing is allocated per field beyond what the transformations return: which of
 * them changed the value is worked out again only for a match.
 *
 * Before any of that, one scan of a plain value (plain-gate.ts) rules out the rules it cannot
 * match, so a group whose rules all need what the value lacks costs nothing at all.
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
  /** What each pattern, and each detector, needs of a plain value. */
  patternNeeds: PlainNeeds[];
  detectorNeeds: PlainNeeds[];
  /** The node after the chain's leading decoding transformations (-1: none); null when decoding comes later in it too. */
  decoded: number | null;
  /** By punctuation of a value plain once decoded: when its patterns, then each detector, may match (filled as values come). */
  conditions: Map<number, Condition[]>;
}

/** A part of a group to run on a plain value: its patterns (detector -1) or one detector; `when` it may match. */
interface Step {
  group: Group;
  detector: number;
  when: Exclude<Condition, 'never'>;
}

interface KindPlan {
  groups: readonly Group[];
  steps: Map<number, readonly Step[]>;
}

export interface LevelPlan {
  paranoia: number;
  /** The tree of chain prefixes of every group, parents before children. */
  nodes: readonly ChainNode[];
  gate: PlainGate;
  rules: readonly CompiledRule[];
  byKind: ReadonlyMap<FieldKind, Group[]>;
  /** The same by kind index (fields.ts KIND_ID), with the steps that may match a plain value by its punctuation (filled as values come). */
  kinds: ReadonlyArray<KindPlan | undefined>;
  counting: readonly CompiledRule[];
  whole: readonly CompiledRule[];
  /** Whether any rule of this level inspects body fields. */
  readsBody: boolean;
}

export function planLevel(all: readonly CompiledRule[], paranoia: number): LevelPlan {
  const rules = all.filter((r) => r.paranoia <= paranoia);
  const tree = new ChainTree();
  const byKind = new Map<FieldKind, Group[]>();
  const gate = new PlainGate();
  const needs = new Map<CompiledRule, PlainNeeds>();
  const needsOf = (rule: CompiledRule) => needs.get(rule) ?? needs.set(rule, gate.needs(rule)).get(rule)!;
  for (const rule of rules) {
    if (!rule.test) continue;
    for (const kind of rule.kinds) {
      let groups = byKind.get(kind);
      if (!groups) byKind.set(kind, (groups = []));
      let g = groups.find((x) => x.chain.join(',') === rule.chainKey);
      if (!g) {
        const lead = rule.chain.findIndex((t) => !IDENTITY_ON_PLAIN.has(t));
        const rest = lead === -1 ? [] : rule.chain.slice(lead);
        const decoded = rest.some((t) => IDENTITY_ON_PLAIN.has(t)) ? null : tree.nodeOf(rule.chain.slice(0, lead === -1 ? rule.chain.length : lead));
        g = { chain: rule.chain, node: tree.nodeOf(rule.chain), patterns: [], detectors: [], patternNeeds: [], detectorNeeds: [], decoded, conditions: new Map() };
        groups.push(g);
      }
      (rule.source ? g.patterns : g.detectors).push(rule);
      (rule.source ? g.patternNeeds : g.detectorNeeds).push(needsOf(rule));
    }
  }
  for (const groups of byKind.values()) {
    for (const g of groups) if (g.patterns.length > 1) g.prefilter = new RegExp(g.patterns.map((r) => `(?:${r.source})`).join('|'));
  }
  gate.seal();
  const readsBody = rules.some((r) => r.kinds.has('body.value') || r.kinds.has('body.name'));
  const kinds = FIELD_KINDS.map((k): KindPlan | undefined => (byKind.has(k) ? { groups: byKind.get(k)!, steps: new Map() } : undefined));
  return { paranoia, rules, nodes: tree.nodes, gate, byKind, kinds, counting: rules.filter((r) => r.countLimit !== undefined), whole: rules.filter((r) => r.request), readsBody };
}

/** Which rules do not apply to which fields on a route. */
export type Excluded = (rule: CompiledRule, field: Field | undefined) => boolean;

const NONE: Excluded = () => false;

export interface Inspection {
  score: number;
  matches: RuleMatch[];
}

/** Visits the fields of a request in order (fields.ts walkFields, bound to the request). */
export type FieldWalk = (visit: FieldVisitor) => void;

export function inspect(plan: LevelPlan, req: RequestDescription, walk: FieldWalk, excluded: Excluded = NONE): Inspection {
  // Matches in the order rules first matched: whole-request rules, field counts, then the fields.
  const found = new Map<string, RuleMatch>();
  const inFields = new Map<string, RuleMatch>();
  const record = (into: Map<string, RuleMatch>, rule: CompiledRule, field: Field, fragment: string, applied: readonly string[]) => {
    if (excluded(rule, field)) return;
    const seen = into.get(rule.id);
    if (seen) seen.alsoIn++;
    else into.set(rule.id, { rule, field, fragment, applied, alsoIn: 0 });
  };
  for (const rule of plan.whole) {
    const fragment = rule.request!(req);
    if (fragment !== undefined) record(found, rule, { kind: 'header', name: 'request', value: '' }, fragment, []);
  }
  const counts = new Int32Array(FIELD_KINDS.length);
  const chains = new ChainValues(plan.nodes);
  const gate = plan.gate;
  const test = (rule: CompiledRule, value: string, f: FieldView) => {
    if (rule.headers && f.header !== undefined && !rule.headers.has(f.header)) return;
    const fragment = rule.test!(value, f.raw);
    if (fragment !== undefined) record(inFields, rule, f.field(), fragment, applyChain(f.value, rule.chain).applied);
  };
  const run = (g: Group, detector: number, f: FieldView) => {
    const value = chains.value(g.node);
    if (detector >= 0) test(g.detectors[detector], value, f);
    else if (!g.prefilter || g.prefilter.test(value)) for (const rule of g.patterns) test(rule, value, f);
  };
  walk((f) => {
    counts[f.kindId]++;
    const kind = plan.kinds[f.kindId];
    if (!kind) return;
    // A plain value, not decoded from another (query, path: some detectors read what was received),
    // skips the decoding transformations and takes the steps its punctuation allows.
    const level = gate.scan(f.value);
    if (level === PLAIN && f.raw === undefined) {
      chains.reset(f.value, true);
      for (const step of stepsFor(kind, gate)) {
        if (step.when === 'always' || gate.seen(step.when)) run(step.group, step.detector, f);
      }
      return;
    }
    // Else each group's value after its decoding transformations is judged: most are plain then.
    chains.reset(f.value, false);
    let scanned = f.value;
    let plain = level !== NOT_PLAIN_VALUE;
    for (const g of kind.groups) {
      if (g.decoded !== null) {
        const decoded = chains.value(g.decoded);
        if (decoded !== scanned) {
          scanned = decoded;
          plain = gate.scan(decoded) !== NOT_PLAIN_VALUE;
        }
      }
      const when = g.decoded !== null && plain ? conditionsFor(g, gate) : undefined;
      if (g.patterns.length && (!when || passes(when[0], gate))) run(g, -1, f);
      for (let k = 0; k < g.detectors.length; k++) {
        if (!when || passes(when[k + 1], gate) || (f.raw !== undefined && g.detectorNeeds[k].readsRaw)) run(g, k, f);
      }
    }
  });
  for (const rule of plan.counting) {
    let n = 0;
    for (const kind of rule.kinds) n += counts[FIELD_KINDS.indexOf(kind)];
    if (n > rule.countLimit!) record(found, rule, { kind: [...rule.kinds][0], name: kindLabel(rule), value: '' }, `${n} fields (limit ${rule.countLimit})`, []);
  }
  for (const [id, m] of inFields) found.set(id, m);
  const matches = [...found.values()];
  let score = 0;
  for (const m of matches) score += m.rule.score;
  return { score, matches };
}

/** Values hold few distinct sets of punctuation; the bound on what is kept only guards against a flood of them. */
const MAX_CACHED = 4096;

function passes(when: Condition, gate: PlainGate): boolean {
  return when === 'always' || (when !== 'never' && gate.seen(when));
}

/** When each part of a group (patterns, then each detector) may match the value the gate last scanned. */
function conditionsFor(g: Group, gate: PlainGate): Condition[] {
  const punct = gate.punct;
  let when = g.conditions.get(punct);
  if (when) return when;
  when = [gate.condition(g.patternNeeds, punct), ...g.detectorNeeds.map((n) => gate.condition([n], punct))];
  if (g.conditions.size < MAX_CACHED) g.conditions.set(punct, when);
  return when;
}

/** The steps of a kind's groups that may match the plain value the gate last scanned, in the groups' order. */
function stepsFor(kind: KindPlan, gate: PlainGate): readonly Step[] {
  let steps = kind.steps.get(gate.punct);
  if (steps) return steps;
  const list: Step[] = [];
  for (const group of kind.groups) {
    conditionsFor(group, gate).forEach((when, part) => {
      if (when !== 'never' && (part > 0 || group.patterns.length)) list.push({ group, detector: part - 1, when });
    });
  }
  steps = list;
  if (kind.steps.size < MAX_CACHED) kind.steps.set(gate.punct, steps);
  return steps;
}

function kindLabel(rule: CompiledRule): string {
  return [...rule.kinds].map((k) => k.replace('.value', '').replace('.name', ' names')).join(' + ');
}
