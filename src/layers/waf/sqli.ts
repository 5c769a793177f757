/**
 * An SQL-injection detector in the manner of libinjection: the value is tokenized as SQL
 * three times (as it stands, and as if it continued a single- or a double-quoted string,
 * which is where an injected value usually lands) and the types of its first tokens, its
 * "fingerprint", are checked against the shapes injections take: `' or 1=1`, `1 union select`,
 * `admin'--`, `1 and sleep(5)`.
 *
 * Written here because no maintained JavaScript port of libinjection exists on npm. It reads
 * at most MAX_TOKENS tokens per context, each in one forward scan, so its cost is linear in
 * the value and usually constant.
 *
 * Token types: s string, n number, E statement keyword, U union, k other keyword,
 * & logic operator, o operator, f function, v variable, b bare word, c comment, and the
 * punctuation ( ) , ; itself.
 */

const MAX_TOKENS = 8;

const STATEMENTS = new Set(['select', 'insert', 'update', 'delete', 'drop', 'create', 'alter', 'exec', 'execute', 'truncate', 'declare', 'shutdown', 'replace', 'merge', 'grant', 'revoke', 'rename', 'load', 'handler', 'call']);
const KEYWORDS = new Set(['from', 'where', 'having', 'order', 'group', 'by', 'limit', 'into', 'values', 'table', 'database', 'procedure', 'offset', 'case', 'when', 'then', 'else', 'end', 'as', 'join', 'top', 'waitfor', 'delay', 'outfile', 'dumpfile', 'information_schema', 'sysobjects']);
const LOGIC = new Set(['and', 'or', 'xor', 'div', 'mod']);
const OPERATORS = new Set(['like', 'rlike', 'regexp', 'is', 'in', 'between', 'not', 'sounds', 'collate', 'escape']);
const LITERALS = new Set(['true', 'false', 'null', 'unknown']);
const FUNCTIONS = new Set([
  'sleep', 'benchmark', 'pg_sleep', 'char', 'chr', 'concat', 'concat_ws', 'group_concat', 'version', 'database', 'user', 'current_user', 'system_user', 'session_user',
  'ascii', 'ord', 'substring', 'substr', 'mid', 'left', 'right', 'if', 'ifnull', 'iif', 'nullif', 'coalesce', 'load_file', 'extractvalue', 'updatexml', 'count', 'length', 'len',
  'hex', 'unhex', 'cast', 'convert', 'md5', 'sha1', 'rand', 'floor', 'exp', 'elt', 'make_set', 'name_const', 'row', 'exists', 'utl_inaddr', 'dbms_pipe', 'xp_cmdshell',
  'lower', 'upper', 'instr', 'locate', 'position', 'json_extract', 'randomblob', 'sqlite_version', 'dbms_lock', 'db_name', 'schema', 'table_name',
]);
/** Words that follow UNION without changing its meaning. */
const UNION_MODIFIERS = new Set(['all', 'distinct']);

/** Fingerprints (prefixes of the token types) that are injections in a quoted-string context. */
const QUOTED = ['s&no', 's&so', 's&f', 's&v', 's&(', 's&bo', 's&o', 's&n&', 's&s&', 's;E', 's;k', 'sUE', 'sU(', 's)U', 's)&', 's);', 'sof', 'son&', 'sos&', 'sonc', 'sosc', 'sov'];
/** Fingerprints that are injections as the value stands. */
const BARE = ['n&no', 'n&so', 'n&vo', 'n&fo', 'n&f(', 'b&no', 'b&so', 'b&f(', 'n)&', 'nUE', 'bUE', 'nU(', 'n;Ek', 'n;Eo', 'n;En', 'n;Ef', 'n;Ev', 'Eok', 'Enk', 'Ef(', 'n&(no', 'n&(so', 'nos&', 'non&'];
/** Fingerprints that are injections only when they are the whole value. */
const QUOTED_EXACT = ['sc', 's)c', 'soc', 'sonc', 'sosc', 's&nc', 's&n', 's&s', 's&sc', 's&b', 's&bc'];

/**
 * What a value must hold for detectSqli to find anything (for the plain-value gate, plain-gate.ts):
 * the quoted readings need a quote, and every fingerprint of the bare reading holds a logic operator,
 * UNION, a statement, `)` or `;`, which without `|&);` come only from these words. Undefined if a
 * bare fingerprint ever does without them.
 */
export const SQLI_NEEDS: { punct: string; words: readonly string[] } | undefined = BARE.every((p) => /[&U;)E]/.test(p))
  ? { punct: `'"|&);`, words: [...LOGIC, 'union', ...STATEMENTS] }
  : undefined;

/** Every prefix of the patterns of a context (and the empty one), for the early stop. */
function prefixesOf(patterns: readonly string[]): ReadonlySet<string> {
  const out = new Set<string>();
  for (const p of patterns) for (let k = 0; k <= p.length; k++) out.add(p.slice(0, k));
  return out;
}

export interface Context {
  prefixes: readonly string[];
  exact: readonly string[];
  /** Type strings that some pattern of the context starts with (so reading on may still match). */
  open: ReadonlySet<string>;
}

export const BARE_CONTEXT: Context = { prefixes: BARE, exact: [], open: prefixesOf(BARE) };
export const QUOTED_CONTEXT: Context = { prefixes: QUOTED, exact: QUOTED_EXACT, open: prefixesOf([...QUOTED, ...QUOTED_EXACT]) };

export function detectSqli(value: string): string | undefined {
  const bare = fingerprint(value, '', BARE_CONTEXT);
  if (bare && matches(bare.types, BARE_CONTEXT)) return fragment(value, bare.end);
  for (const q of ["'", '"']) {
    if (!value.includes(q)) continue;
    const quoted = fingerprint(value, q, QUOTED_CONTEXT);
    if (quoted && matches(quoted.types, QUOTED_CONTEXT)) return fragment(value, quoted.end);
  }
  return undefined;
}

export function matches(types: string, c: Context): boolean {
  for (const p of c.prefixes) if (types.startsWith(p)) return true;
  return c.exact.includes(types);
}

function fragment(value: string, end: number): string {
  return value.slice(0, Math.min(end, 120));
}

/**
 * Token types of the first tokens; `quote` starts the scan inside a string closed by it.
 *
 * With `context`, it stops as soon as the types read can no longer start any of its patterns
 * (most prose: `bb`), and then returns undefined: what it read is final, because only the last
 * token read can still change (a word becomes a function before `(`, a comment is dropped when
 * another token follows). Without, it reads its MAX_TOKENS tokens (the tests compare the two).
 */
export function fingerprint(value: string, quote: string, context?: Context): { types: string; end: number } | undefined {
  // `done`: the types of every token but the last (comments dropped); `last`: the last one's type.
  let done = '';
  let last = '';
  let lastWord = '';
  let count = 0;
  let live = context === undefined;
  let i = 0;
  if (quote) {
    const close = value.indexOf(quote);
    last = 's';
    count = 1;
    i = close + 1;
  }
  while (i < value.length && count < MAX_TOKENS) {
    i = nextToken(value, i);
    if (!tokenType) continue;
    // UNION ALL / UNION DISTINCT read as UNION.
    if (last === 'U' && tokenType === 'b' && UNION_MODIFIERS.has(tokenWord)) continue;
    // A word followed by '(' is a function call when it is a known function.
    if (tokenType === '(' && last === 'b' && FUNCTIONS.has(lastWord)) last = 'f';
    // Comments in the middle say nothing (`1/**/or/**/1=1`); one at the end closes the query.
    if (count > 0 && last !== 'c') done += last;
    last = tokenType;
    lastWord = tokenWord;
    count++;
    if (!live) {
      if (context!.prefixes.some((p) => done.startsWith(p))) live = true;
      else if (!context!.open.has(done)) return undefined;
    }
  }
  return { types: count > 0 ? done + last : done, end: i };
}

function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 36 || c === 46 || c > 127;
}

// The token nextToken read (none: empty type, for whitespace), and for words their lowercased text.
// Module state instead of a returned object: the scan allocates nothing per token.
let tokenType = '';
let tokenWord = '';

const NUMBER = /^(?:0x[0-9a-f]+|0b[01]+|[0-9]+(?:\.[0-9]*)?(?:e[0-9]+)?)$/i;

/** Reads the token at i into tokenType / tokenWord and returns where it ends. */
function nextToken(s: string, i: number): number {
  const c = s[i];
  const code = s.charCodeAt(i);
  tokenWord = '';
  if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f' || code === 160) {
    tokenType = '';
    return i + 1;
  }
  if (c === "'" || c === '"' || c === '`') {
    const close = s.indexOf(c, i + 1);
    tokenType = c === '`' ? 'b' : 's';
    if (c === '`') tokenWord = s.slice(i + 1, close === -1 ? s.length : close);
    return close === -1 ? s.length : close + 1;
  }
  if (c === '/' && s[i + 1] === '*') {
    const close = s.indexOf('*/', i + 2);
    tokenType = 'c';
    return close === -1 ? s.length : close + 2;
  }
  if ((c === '-' && s[i + 1] === '-') || c === '#') {
    const nl = s.indexOf('\n', i);
    tokenType = 'c';
    return nl === -1 ? s.length : nl + 1;
  }
  if (c === '(' || c === ')' || c === ',' || c === ';') {
    tokenType = c;
    return i + 1;
  }
  if (c === '@') {
    let j = i + 1;
    while (j < s.length && (s[j] === '@' || isWordChar(s.charCodeAt(j)))) j++;
    tokenType = 'v';
    return j;
  }
  if ((c === '&' && s[i + 1] === '&') || (c === '|' && s[i + 1] === '|')) {
    tokenType = '&';
    return i + 2;
  }
  if ('=<>!+-*/%^&|~:'.includes(c)) {
    let j = i + 1;
    while (j < s.length && j < i + 3 && '=<>!'.includes(s[j])) j++;
    tokenType = 'o';
    return j;
  }
  if (code >= 48 && code <= 57) {
    let j = i + 1;
    while (j < s.length && isWordChar(s.charCodeAt(j))) j++;
    // 1e5, 0x41, 3.14 are numbers; 2nd, 10px are words.
    const text = s.slice(i, j);
    tokenType = NUMBER.test(text) ? 'n' : 'b';
    if (tokenType === 'b') tokenWord = text;
    return j;
  }
  if (isWordChar(code)) {
    let j = i + 1;
    while (j < s.length && isWordChar(s.charCodeAt(j))) j++;
    tokenWord = s.slice(i, j).toLowerCase();
    tokenType = wordType(tokenWord);
    return j;
  }
  tokenType = 'o';
  return i + 1;
}

/** The type of each known word, in one table (the first list a word is in decides, as listed). */
const WORD_TYPES = new Map<string, string>();
for (const [type, words] of [['U', ['union']], ['E', STATEMENTS], ['&', LOGIC], ['o', OPERATORS], ['n', LITERALS], ['k', KEYWORDS]] as const) {
  for (const w of words) if (!WORD_TYPES.has(w)) WORD_TYPES.set(w, type);
}

function wordType(w: string): string {
  return WORD_TYPES.get(w) ?? 'b';
}
