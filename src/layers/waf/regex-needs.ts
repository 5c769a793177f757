/**
 * What a rule's regular expression needs before it can match, read from its source once at load:
 *
 * - `punct`: which punctuation the matched text must contain, as alternatives (a list of bit sets,
 *   one of which must be wholly present; [0] means none is needed, [] that no text made of the
 *   characters charBit knows can match). `;\s*id` needs `;`; `<script\b` `<`; `union ?select` none.
 * - `atoms`: lowercase strings one of which every match contains (`union`, `sleep`), or undefined
 *   when no such set of strings of at least MIN_ATOM characters is known. Built the way RE2's
 *   prefilter builds its: exact sets of strings for literal runs and small classes, joined through
 *   concatenation and alternation, and reduced to "contains one of" where they grow.
 *
 * Both are necessary conditions, over-approximated wherever the reading is unsure: an assertion
 * (\b, ^, look-around) and a back-reference count as satisfied, and a construct this reader does
 * not know makes the whole rule "needs nothing" (RegexNeedsError, caught by the caller). So a rule
 * is only ever skipped when it provably cannot match. Hand-written: the rules use a small subset of
 * the syntax, and the maintained JavaScript regex parsers are not dependencies of the gateway.
 */

/** The ASCII punctuation characters, one bit each (31 of them: `_` is a word character). */
export const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^`{|}~';
/** The bit of tab, line feed and carriage return (one for the three). */
export const CONTROL_SPACE_BIT = 1 << 31;
/** Characters that are in no text the needs are about (see charBit). */
export const ABSENT = -1;

const CHAR_BIT = new Int32Array(256).fill(ABSENT);
for (let c = 32; c < 127; c++) CHAR_BIT[c] = 0;
for (let i = 0; i < PUNCTUATION.length; i++) CHAR_BIT[PUNCTUATION.charCodeAt(i)] = 1 << i;
for (const c of [9, 10, 13]) CHAR_BIT[c] = CONTROL_SPACE_BIT;
// Latin-1 letters (À-ÿ but × and ÷): NFKC leaves them as they are and lowercasing keeps them one character.
for (let c = 0xc0; c <= 0xff; c++) if (c !== 0xd7 && c !== 0xf7) CHAR_BIT[c] = 0;

/**
 * How a character counts in the text the needs are about (the plain values of plain-gate.ts and
 * what transformations make of them): 0 for those always taken as present (letters, digits, `_`,
 * space, Latin-1 letters), its bit for punctuation and control spaces, ABSENT for the rest.
 */
export function charBit(code: number): number {
  return code < 256 ? CHAR_BIT[code] : ABSENT;
}

/** Shortest atom worth looking for; shorter ones are too common to rule anything out. */
export const MIN_ATOM = 3;
/** Largest exact string set kept before it is reduced to "contains one of". */
const MAX_EXACT = 16;
/** Most alternatives a punctuation condition keeps; beyond, it gives up (needs nothing). */
const MAX_CLAUSES = 64;

export interface RegexNeeds {
  punct: number[];
  atoms?: string[];
}

export class RegexNeedsError extends Error {}

/** The needs of a regular expression source (no flags), or RegexNeedsError for syntax not read here. */
export function regexNeeds(source: string): RegexNeeds {
  const p = new Reader(source);
  const info = p.alternation();
  if (p.i !== source.length) throw new RegexNeedsError(`unexpected ${source[p.i]} at ${p.i}`);
  const atoms = toAtoms(info);
  return { punct: info.punct, atoms: atoms ? [...atoms] : undefined };
}

/** Needs of a part of the expression. `exact`: the part matches exactly one of these (lowercased) strings. */
interface Info {
  punct: number[];
  exact?: Set<string>;
  /** When not exact: one of these is in every match; undefined: nothing known. */
  atoms?: Set<string>;
}

const ANYTHING: Info = { punct: [0] };
const EMPTY: Info = { punct: [0], exact: new Set(['']) };

// ---- punctuation conditions: lists of bit sets, "one of them wholly present" ----

function minimal(clauses: number[]): number[] {
  const out: number[] = [];
  for (const c of [...new Set(clauses)].sort((a, b) => popcount(a) - popcount(b))) {
    if (!out.some((o) => (o & c) === o)) out.push(c);
  }
  return out.length > MAX_CLAUSES ? [0] : out;
}

function popcount(n: number): number {
  let k = 0;
  for (let x = n >>> 0; x; x &= x - 1) k++;
  return k;
}

function punctAnd(a: number[], b: number[]): number[] {
  const out: number[] = [];
  for (const x of a) for (const y of b) out.push(x | y);
  return minimal(out);
}

// ---- atoms ----

/** The strings one of which every match of the part contains, or undefined (nothing known). */
function toAtoms(info: Info): Set<string> | undefined {
  const set = info.exact ?? info.atoms;
  if (!set) return undefined;
  for (const s of set) if (s.length < MIN_ATOM) return undefined;
  // An atom that contains another says nothing more.
  const list = [...set].sort((a, b) => a.length - b.length);
  return new Set(list.filter((s, i) => !list.slice(0, i).some((t) => s.includes(t))));
}

/** Of two conditions that both hold, the more selective one (longer shortest atom). */
function better(a: Set<string> | undefined, b: Set<string> | undefined): Set<string> | undefined {
  if (!a) return b;
  if (!b) return a;
  const shortest = (s: Set<string>) => Math.min(...[...s].map((x) => x.length));
  return shortest(b) > shortest(a) || (shortest(b) === shortest(a) && b.size < a.size) ? b : a;
}

function cross(a: Set<string>, b: Set<string>): Set<string> | undefined {
  if (a.size * b.size > MAX_EXACT) return undefined;
  const out = new Set<string>();
  for (const x of a) for (const y of b) out.add(x + y);
  return out;
}

function concat(parts: Info[]): Info {
  let punct = [0];
  let run: Set<string> | undefined = new Set(['']);
  let best: Set<string> | undefined;
  let allExact = true;
  for (const part of parts) {
    punct = punctAnd(punct, part.punct);
    const joined: Set<string> | undefined = part.exact && run ? cross(run, part.exact) : undefined;
    if (joined) {
      run = joined;
      continue;
    }
    allExact = false;
    if (run) best = better(best, toAtoms({ punct, exact: run }));
    if (part.exact) run = part.exact;
    else {
      best = better(best, toAtoms(part));
      run = new Set(['']);
    }
  }
  if (allExact) return { punct, exact: run };
  return { punct, atoms: better(best, run ? toAtoms({ punct, exact: run }) : undefined) };
}

function alternation(parts: Info[]): Info {
  const punct = minimal(parts.flatMap((p) => p.punct));
  if (parts.every((p) => p.exact)) {
    const exact = new Set(parts.flatMap((p) => [...p.exact!]));
    if (exact.size <= MAX_EXACT) return { punct, exact };
  }
  const atoms = new Set<string>();
  for (const part of parts) {
    const a = toAtoms(part);
    if (!a) return { punct };
    for (const s of a) atoms.add(s);
  }
  return { punct, atoms: toAtoms({ punct, atoms }) };
}

function repeat(info: Info, min: number, max: number): Info {
  if (min === 0) {
    if (max === 1 && info.exact) return { punct: [0], exact: new Set([...info.exact, '']) };
    return ANYTHING;
  }
  if (min === 1 && max === 1) return info;
  return { punct: info.punct, atoms: toAtoms(info) };
}

// ---- characters and classes ----

/** A set of characters: the ASCII ones by code, and whether any beyond ASCII is in it. */
class CharSet {
  readonly ascii = new Uint8Array(128);
  beyond = false;

  add(from: number, to = from): void {
    for (let c = from; c <= Math.min(to, 127); c++) this.ascii[c] = 1;
    if (to > 127) this.beyond = true;
  }

  merge(o: CharSet): void {
    for (let c = 0; c < 128; c++) if (o.ascii[c]) this.ascii[c] = 1;
    if (o.beyond) this.beyond = true;
  }

  negate(): CharSet {
    const n = new CharSet();
    for (let c = 0; c < 128; c++) if (!this.ascii[c]) n.ascii[c] = 1;
    n.beyond = true;
    return n;
  }

  info(): Info {
    // Characters beyond ASCII may be Latin-1 letters, always taken as present.
    let free = this.beyond;
    const punct: number[] = [];
    const chars = new Set<string>();
    for (let c = 0; c < 128; c++) {
      if (!this.ascii[c]) continue;
      const bit = CHAR_BIT[c];
      if (bit === 0) free = true;
      else if (bit !== ABSENT) punct.push(bit);
      chars.add(String.fromCharCode(c).toLowerCase());
    }
    const info: Info = { punct: free ? [0] : minimal(punct) };
    if (!this.beyond && chars.size <= 4) info.exact = chars;
    return info;
  }
}

/** One character outside a class (beyond ASCII: exact still, present or absent as charBit says). */
function literal(code: number): Info {
  if (code < 128) return single(code).info();
  return { punct: charBit(code) === ABSENT ? [] : [0], exact: new Set([String.fromCharCode(code).toLowerCase()]) };
}

function single(code: number): CharSet {
  const s = new CharSet();
  s.add(code);
  return s;
}

const DIGITS = new CharSet();
DIGITS.add(48, 57);
const WORD = new CharSet();
WORD.add(48, 57);
WORD.add(65, 90);
WORD.add(97, 122);
WORD.add(95);
const SPACE = new CharSet();
for (const c of [9, 10, 11, 12, 13, 32]) SPACE.add(c);
SPACE.beyond = true;

const CONTROL_ESCAPES: Record<string, number> = { n: 10, r: 13, t: 9, v: 11, f: 12, '0': 0 };

class Reader {
  i = 0;
  constructor(private readonly s: string) {}

  private fail(what: string): never {
    throw new RegexNeedsError(`${what} at ${this.i}`);
  }

  alternation(): Info {
    const parts = [this.concat()];
    while (this.s[this.i] === '|') {
      this.i++;
      parts.push(this.concat());
    }
    return parts.length === 1 ? parts[0] : alternation(parts);
  }

  private concat(): Info {
    const parts: Info[] = [];
    while (this.i < this.s.length && this.s[this.i] !== '|' && this.s[this.i] !== ')') {
      const atom = this.atom();
      parts.push(this.quantified(atom));
    }
    return parts.length === 1 ? parts[0] : concat(parts);
  }

  private quantified(atom: Info): Info {
    const c = this.s[this.i];
    let min: number;
    let max: number;
    if (c === '?' || c === '*' || c === '+') {
      this.i++;
      [min, max] = c === '?' ? [0, 1] : c === '*' ? [0, Infinity] : [1, Infinity];
    } else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.s.slice(this.i));
      if (!m) this.fail('quantifier');
      this.i += m[0].length;
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
    } else return atom;
    if (this.s[this.i] === '?') this.i++; // lazy: the same strings
    return repeat(atom, min, max);
  }

  private atom(): Info {
    const c = this.s[this.i];
    if (c === '(') return this.group();
    if (c === '[') return this.charClass().info();
    if (c === '^' || c === '$') {
      this.i++;
      return EMPTY;
    }
    if (c === '.') {
      this.i++;
      return ANYTHING;
    }
    if (c === '*' || c === '+' || c === '?' || c === '{') this.fail('nothing to repeat');
    if (c === '\\') {
      const e = this.s[this.i + 1];
      if (e === 'b' || e === 'B') {
        this.i += 2;
        return EMPTY;
      }
      if (e >= '1' && e <= '9') {
        this.i += 2;
        while (this.s[this.i] >= '0' && this.s[this.i] <= '9') this.i++;
        return ANYTHING; // a back-reference repeats what a group matched
      }
      return this.escape().info();
    }
    this.i++;
    return literal(this.s.charCodeAt(this.i - 1));
  }

  private group(): Info {
    this.i++;
    let kind = '';
    if (this.s[this.i] === '?') {
      const m = /^\?(?::|=|!|<=|<!|<[A-Za-z_][A-Za-z0-9_]*>)/.exec(this.s.slice(this.i));
      if (!m) this.fail('group');
      kind = m[0];
      this.i += m[0].length;
    }
    const inner = this.alternation();
    if (this.s[this.i] !== ')') this.fail('unclosed group');
    this.i++;
    // Look-around: an assertion, taken as satisfied.
    if (kind === '?=' || kind === '?!' || kind === '?<=' || kind === '?<!') return EMPTY;
    return inner;
  }

  /** An escape outside or inside a class (the caller has checked \b outside). */
  private escape(inClass = false): CharSet {
    const e = this.s[this.i + 1];
    this.i += 2;
    if (e === undefined) this.fail('trailing backslash');
    if (e === 'd') return DIGITS;
    if (e === 'w') return WORD;
    if (e === 's') return SPACE;
    if (e === 'D') return DIGITS.negate();
    if (e === 'W') return WORD.negate();
    if (e === 'S') return SPACE.negate();
    if (inClass && e === 'b') return single(8);
    if (e in CONTROL_ESCAPES && !(e === '0' && /[0-9]/.test(this.s[this.i] ?? ''))) return single(CONTROL_ESCAPES[e]);
    if (e === 'x' || e === 'u') {
      const len = e === 'x' ? 2 : 4;
      const hex = this.s.slice(this.i, this.i + len);
      if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) this.fail('escape');
      this.i += len;
      return single(parseInt(hex, 16));
    }
    if (/[A-Za-z0-9]/.test(e)) this.fail(`escape \\${e}`);
    return single(e.charCodeAt(0));
  }

  private charClass(): CharSet {
    this.i++;
    const negated = this.s[this.i] === '^';
    if (negated) this.i++;
    const set = new CharSet();
    let first = true;
    while (this.s[this.i] !== ']' || first) {
      first = false;
      if (this.i >= this.s.length) this.fail('unclosed class');
      const from = this.classAtom();
      if (this.s[this.i] === '-' && this.s[this.i + 1] !== ']' && this.i + 1 < this.s.length) {
        this.i++;
        const to = this.classAtom();
        const a = codeOf(from);
        const b = codeOf(to);
        if (a === undefined || b === undefined || b < a) this.fail('range');
        set.add(a, b);
      } else set.merge(from);
    }
    this.i++;
    return negated ? set.negate() : set;
  }

  private classAtom(): CharSet {
    if (this.s[this.i] === '\\') return this.escape(true);
    this.i++;
    return single(this.s.charCodeAt(this.i - 1));
  }
}

/** The code of a one-character set (a range end), or undefined. */
function codeOf(s: CharSet): number | undefined {
  if (s.beyond) return undefined;
  let code: number | undefined;
  for (let c = 0; c < 128; c++) {
    if (!s.ascii[c]) continue;
    if (code !== undefined) return undefined;
    code = c;
  }
  return code;
}
