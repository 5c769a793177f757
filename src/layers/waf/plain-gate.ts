import type { CompiledRule } from './compile.ts';
import { PLAIN_NEEDS, READS_RAW } from './detectors.ts';
import { ABSENT, charBit, MIN_ATOM, regexNeeds, RegexNeedsError } from './regex-needs.ts';
import { SQLI_NEEDS } from './sqli.ts';
import type { TransformName } from './transforms.ts';

/**
 * The plain-value gate: most values an API receives (names, ids, prose) are printable ASCII, with
 * perhaps line breaks and Latin-1 letters (é, ü), without `%`, `+`, `&` or `\`: plain. On such a
 * value every decoding transformation is the identity (NFKC leaves Latin-1 letters alone), and
 * every other one only lowercases, drops characters or puts a space in place of some: so whatever a
 * chain makes of it holds no character the value did not hold (lowercased), besides spaces. That
 * lets one scan of the value rule out, before any transformation runs, each rule that needs
 * punctuation the value lacks (`<`, `=`, `;`) or a word it does not contain (`select`, `sleep`).
 * A value with `%`, `+` or `&` is judged after the decoding transformations instead, where what
 * follows them does not act on those characters (the engine scans each decoded value once):
 * see regex-needs.ts for how a rule's needs are read, and ON_PLAIN below for why each
 * transformation keeps them valid. This is how the WAF stays cheap on clean traffic, as CRS does
 * with its @pm keyword prefilters; unlike those, the gate is derived from the rules themselves, so
 * it can only skip a rule that cannot match (engine.test.ts compares it with a plain run of
 * every rule).
 */

/**
 * For each code below 256: NOT_PLAIN, or its bit (regex-needs.ts charBit) in a plain value: printable
 * ASCII but `\` (normalizePath turns it into `/`), tab, line feed, carriage return, Latin-1 letters.
 */
const NOT_PLAIN = ABSENT;
const CHAR_BITS = new Int32Array(256);
for (let c = 0; c < 256; c++) CHAR_BITS[c] = c === 92 ? NOT_PLAIN : charBit(c);

/** What the decoding transformations act on (with `\`, which is never plain). */
const DECODED_BY = bits('%+&');

/** scan(): not plain; plain once decoded (it holds % + or &, which decoding may change); plain. */
export const NOT_PLAIN_VALUE = 0;
export const PLAIN_ONCE_DECODED = 1;
export const PLAIN = 2;

/** Uppercase plain letters and their lowercase (what toLowerCase makes of them). */
const CASE_FOLD: Array<[number, number]> = [];
for (let c = 0; c < 256; c++) {
  const lower = String.fromCharCode(c).toLowerCase();
  if (CHAR_BITS[c] !== NOT_PLAIN && lower.length === 1 && lower.charCodeAt(0) !== c) CASE_FOLD.push([c, lower.charCodeAt(0)]);
}

/** How a transformation acts on plain text, for the atoms (lowercased words) found in the value. */
interface OnPlain {
  /** It returns plain text unchanged. */
  identity?: true;
  /** It may put characters side by side that were apart, but only next to these (a space it leaves for a run of whitespace). An atom is only looked for in full up to them. */
  breaks?: string;
  /** When the value holds one of these, it may join any two characters (cmdLine deletes quotes): atoms are not used. */
  veto?: string;
  /** It may join any two characters (removing whitespace or comments): atoms are never used. */
  joins?: true;
}

// Every transformation must be listed: a new one is not trusted on plain text until it is.
export const ON_PLAIN: Record<TransformName, OnPlain> = {
  urlDecode: { identity: true }, // needs % or +
  htmlEntityDecode: { identity: true }, // needs &
  jsDecode: { identity: true }, // needs \
  normalize: { identity: true }, // needs what is beyond ASCII and Latin-1 letters
  removeNulls: { identity: true }, // needs NUL
  lowercase: {}, // the scan folds case as toLowerCase does
  compressWhitespace: { breaks: ' ' },
  removeWhitespace: { joins: true },
  removeComments: { joins: true },
  replaceComments: { breaks: ' ' }, // a comment becomes a space
  normalizePath: { breaks: '/' }, // drops a / or ./ after a /
  cmdLine: { breaks: ' /(', veto: '"\'^' }, // , and ; become spaces; spaces before / and ( go; quotes and ^ go
};

/** Transformations that leave plain text as it is (the engine skips them on plain values). */
export const IDENTITY_ON_PLAIN: ReadonlySet<TransformName> = new Set((Object.keys(ON_PLAIN) as TransformName[]).filter((t) => ON_PLAIN[t].identity));

/** What a rule needs of a plain value to have a chance to match. */
export interface PlainNeeds {
  /** Alternatives of punctuation bits, one of which the value must hold wholly ([]: never). */
  punct: readonly number[];
  /** Punctuation that, when the value holds any of it, makes the atoms below unnecessary. */
  anyPunct: number;
  /** Ids of atoms one of which the value contains, when it holds none of `breakMask`; undefined: not known. */
  atoms?: readonly number[];
  /** The same where the value holds a character of breakMask (atoms cut there too). */
  atomsBroken?: readonly number[];
  breakMask: number;
  /** A detector that reads the value as received: the gate cannot judge a field decoded from another. */
  readsRaw: boolean;
}

/** What a rule, or a detector, needs: punctuation alternatives, and words any match contains. */
interface Needs {
  punct: readonly number[];
  anyPunct?: number;
  atoms?: readonly string[];
  /** Shortest piece of an atom still worth looking for. */
  minAtom: number;
}

/**
 * Whether a part of a group (its patterns, or one detector) must run on a plain value with some
 * punctuation: always, never, or when the value contains one of some atoms (marked by id).
 */
export type Condition = 'always' | 'never' | Uint8Array;

function bits(chars: string): number {
  let m = 0;
  for (let i = 0; i < chars.length; i++) if (charBit(chars.charCodeAt(i)) !== ABSENT) m |= charBit(chars.charCodeAt(i));
  return m;
}

/** Whether s can be part of a plain value (atoms with anything else never occur in one). */
function canBePlain(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 255 || CHAR_BITS[c] === NOT_PLAIN) return false;
  }
  return true;
}

/** The longest part of s between characters of breaks. */
function longestPiece(s: string, breaks: string): string {
  let best = '';
  let start = 0;
  for (let i = 0; i <= s.length; i++) {
    if (i < s.length && !breaks.includes(s[i])) continue;
    if (i - start > best.length) best = s.slice(start, i);
    start = i + 1;
  }
  return best;
}

const SQLI_DETECTOR_NEEDS: Needs | undefined = SQLI_NEEDS && { punct: [0], anyPunct: bits(SQLI_NEEDS.punct), atoms: SQLI_NEEDS.words, minAtom: 1 };

/** What a rule's matcher needs of the value it is given (after its transformations). */
function needsOf(rule: CompiledRule): Needs | undefined {
  if (rule.detector === 'sqli') return SQLI_DETECTOR_NEEDS;
  if (rule.detector) {
    const p = PLAIN_NEEDS[rule.detector as keyof typeof PLAIN_NEEDS];
    return p === undefined ? undefined : { punct: p ? [bits(p)] : [], minAtom: MIN_ATOM };
  }
  if (rule.source === undefined) return undefined;
  try {
    return { ...regexNeeds(rule.source), minAtom: MIN_ATOM };
  } catch (err) {
    if (err instanceof RegexNeedsError) return undefined;
    throw err;
  }
}

/** Collects the atoms of a level's rules; then scans values for all of them at once. */
export class PlainGate {
  private readonly ids = new Map<string, number>();
  private scanner?: AtomScanner;

  /** A rule's needs on plain values (computed once at load). */
  needs(rule: CompiledRule): PlainNeeds {
    const readsRaw = rule.detector !== undefined && READS_RAW.has(rule.detector);
    const needs = needsOf(rule);
    if (!needs) return { punct: [0], anyPunct: 0, breakMask: 0, readsRaw };
    if (!needs.punct.length) return { punct: [], anyPunct: 0, breakMask: 0, readsRaw };
    let joins = false;
    let breaks = '';
    for (const t of rule.chain) {
      const p = ON_PLAIN[t];
      joins ||= p.joins === true;
      breaks += p.breaks ?? '';
    }
    const spaces = breaks.includes(' ') ? ' ' : '';
    const punctBreaks = breaks.replaceAll(' ', '');
    const atoms = joins || !needs.atoms ? undefined : this.atomIds(needs.atoms, spaces, needs.minAtom);
    const atomsBroken = joins || !needs.atoms ? undefined : this.atomIds(needs.atoms, spaces + punctBreaks, needs.minAtom);
    // A veto character (cmdLine deletes quotes) joins what it separated: with one, atoms say nothing.
    const veto = rule.chain.reduce((m, t) => m | bits(ON_PLAIN[t].veto ?? ''), 0);
    return { punct: needs.punct, anyPunct: (needs.anyPunct ?? 0) | veto, atoms, atomsBroken, breakMask: bits(punctBreaks), readsRaw };
  }

  /** Each atom cut at the break characters to its longest piece; undefined when one is too short. */
  private atomIds(atoms: readonly string[], breaks: string, min: number): number[] | undefined {
    const out: number[] = [];
    for (const atom of atoms) {
      const piece = longestPiece(atom, breaks);
      if (piece.length < min) return undefined;
      if (!canBePlain(piece)) continue; // never in a plain value
      let id = this.ids.get(piece);
      if (id === undefined) this.ids.set(piece, (id = this.ids.size));
      out.push(id);
    }
    return out;
  }

  /** Builds the scanner once every rule's needs were asked for. */
  seal(): void {
    this.scanner = new AtomScanner([...this.ids.keys()]);
  }

  /** Scans a value: NOT_PLAIN_VALUE, PLAIN_ONCE_DECODED or PLAIN; when plain either way, `punct` is its punctuation. */
  scan(value: string): number {
    if (!this.scanner!.scan(value)) return NOT_PLAIN_VALUE;
    return this.scanner!.punct & DECODED_BY ? PLAIN_ONCE_DECODED : PLAIN;
  }

  get punct(): number {
    return this.scanner!.punct;
  }

  /** Whether the value last scanned contains one of the atoms a condition marks. */
  seen(atoms: Uint8Array): boolean {
    const s = this.scanner!;
    if (s.overflow) return true;
    for (let i = 0; i < s.count; i++) if (atoms[s.found[i]]) return true;
    return false;
  }

  /** When rules with these needs must run on a plain value with this punctuation (one of them may match). */
  condition(needs: readonly PlainNeeds[], punct: number): Condition {
    let atoms: Uint8Array | undefined;
    for (const n of needs) {
      if (!n.punct.some((m) => (m & punct) === m)) continue;
      const list = punct & n.anyPunct ? undefined : punct & n.breakMask ? n.atomsBroken : n.atoms;
      if (list === undefined) return 'always';
      for (const a of list) (atoms ??= new Uint8Array(this.ids.size))[a] = 1;
    }
    return atoms ?? 'never';
  }
}

/**
 * Finds every atom in a value in one pass (Aho-Corasick over the value folded to lowercase), while
 * checking that the value is plain and collecting its punctuation.
 */
class AtomScanner {
  punct = 0;
  /** The atoms in the value last scanned (found[0..count), each once), or overflow: too many to list. */
  readonly found = new Int32Array(32);
  count = 0;
  overflow = false;
  private stamp = 0;
  private readonly seen: Uint32Array;
  private readonly classOf = new Uint8Array(256);
  private readonly classes: number;
  private readonly next: Int32Array;
  /** Atoms that end at each state (its own and those of its suffixes), or undefined. */
  private readonly ends: Array<number[] | undefined>;

  constructor(atoms: readonly string[]) {
    this.seen = new Uint32Array(atoms.length);
    // Characters of no atom share class 0; an uppercase letter has its lowercase's class (atoms are lowercase).
    let classes = 1;
    for (const a of atoms) for (let i = 0; i < a.length; i++) if (!this.classOf[a.charCodeAt(i)]) this.classOf[a.charCodeAt(i)] = classes++;
    for (const [upper, lower] of CASE_FOLD) this.classOf[upper] = this.classOf[lower];
    this.classes = classes;
    const goto: number[][] = [new Array<number>(classes).fill(-1)];
    const ends: Array<number[] | undefined> = [undefined];
    atoms.forEach((a, id) => {
      let s = 0;
      for (let i = 0; i < a.length; i++) {
        const c = this.classOf[a.charCodeAt(i)];
        if (goto[s][c] === -1) {
          goto[s][c] = goto.length;
          goto.push(new Array<number>(classes).fill(-1));
          ends.push(undefined);
        }
        s = goto[s][c];
      }
      (ends[s] ??= []).push(id);
    });
    // Breadth first: each state's failure link, and the full transition table.
    const next = new Int32Array(goto.length * classes);
    const fail = new Int32Array(goto.length);
    const queue: number[] = [];
    for (let c = 0; c < classes; c++) {
      const t = goto[0][c];
      next[c] = t === -1 ? 0 : t;
      if (t !== -1) queue.push(t);
    }
    for (let q = 0; q < queue.length; q++) {
      const s = queue[q];
      const f = ends[fail[s]];
      if (f) ends[s] = [...(ends[s] ?? []), ...f];
      for (let c = 0; c < classes; c++) {
        const t = goto[s][c];
        if (t === -1) next[s * classes + c] = next[fail[s] * classes + c];
        else {
          fail[t] = next[fail[s] * classes + c];
          next[s * classes + c] = t;
          queue.push(t);
        }
      }
    }
    // Entries hold the target state's offset in the table (state * classes), negated minus one
    // when atoms end there: the scan loop then needs no multiplication and one sign test.
    for (let i = 0; i < next.length; i++) {
      const t = next[i];
      next[i] = ends[t] ? -(t * classes) - 1 : t * classes;
    }
    this.next = next;
    this.ends = ends;
  }

  scan(v: string): boolean {
    const stamp = ++this.stamp;
    const { next, classOf, classes, ends, seen, found } = this;
    const charBits = CHAR_BITS;
    let punct = 0;
    let at = 0;
    let count = 0;
    let overflow = false;
    for (let i = 0; i < v.length; i++) {
      const c = v.charCodeAt(i);
      if (c > 255) return false;
      const bits = charBits[c];
      if (bits === NOT_PLAIN) return false;
      punct |= bits;
      at = next[at + classOf[c]];
      if (at >= 0) continue;
      at = -at - 1;
      const here = ends[at / classes]!;
      for (let k = 0; k < here.length; k++) {
        const id = here[k];
        if (seen[id] === stamp) continue;
        seen[id] = stamp;
        if (count < found.length) found[count++] = id;
        else overflow = true;
      }
    }
    this.punct = punct;
    this.count = count;
    this.overflow = overflow;
    return true;
  }
}
