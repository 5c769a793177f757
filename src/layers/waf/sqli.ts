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

interface Token {
  type: string;
  text: string;
}

export function detectSqli(value: string): string | undefined {
  const bare = fingerprint(value, '');
  if (matches(bare.types, BARE, [])) return fragment(value, bare.end);
  for (const q of ["'", '"']) {
    if (!value.includes(q)) continue;
    const quoted = fingerprint(value, q);
    if (matches(quoted.types, QUOTED, QUOTED_EXACT)) return fragment(value, quoted.end);
  }
  return undefined;
}

function matches(types: string, prefixes: readonly string[], exact: readonly string[]): boolean {
  for (const p of prefixes) if (types.startsWith(p)) return true;
  return exact.includes(types);
}

function fragment(value: string, end: number): string {
  return value.slice(0, Math.min(end, 120));
}

/** Token types of the first tokens; `quote` starts the scan inside a string closed by it. */
export function fingerprint(value: string, quote: string): { types: string; end: number } {
  const tokens: Token[] = [];
  let i = 0;
  if (quote) {
    const close = value.indexOf(quote);
    tokens.push({ type: 's', text: value.slice(0, close) });
    i = close + 1;
  }
  while (i < value.length && tokens.length < MAX_TOKENS) {
    const r = nextToken(value, i);
    i = r.end;
    if (!r.token) continue;
    const prev = tokens[tokens.length - 1];
    // UNION ALL / UNION DISTINCT read as UNION.
    if (prev?.type === 'U' && r.token.type === 'b' && UNION_MODIFIERS.has(r.token.text)) continue;
    // A word followed by '(' is a function call when it is a known function.
    if (r.token.type === '(' && prev?.type === 'b' && FUNCTIONS.has(prev.text)) prev.type = 'f';
    tokens.push(r.token);
  }
  // Comments in the middle say nothing (`1/**/or/**/1=1`); one at the end closes the query.
  const types = tokens
    .filter((t, k) => t.type !== 'c' || k === tokens.length - 1)
    .map((t) => t.type)
    .join('');
  return { types, end: i };
}

function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 36 || c === 46 || c > 127;
}

function nextToken(s: string, i: number): { token?: Token; end: number } {
  const c = s[i];
  const code = s.charCodeAt(i);
  if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f' || code === 160) return { end: i + 1 };
  if (c === "'" || c === '"' || c === '`') {
    const close = s.indexOf(c, i + 1);
    const end = close === -1 ? s.length : close + 1;
    return { token: { type: c === '`' ? 'b' : 's', text: s.slice(i + 1, close === -1 ? s.length : close) }, end };
  }
  if (c === '/' && s[i + 1] === '*') {
    const close = s.indexOf('*/', i + 2);
    return { token: { type: 'c', text: '' }, end: close === -1 ? s.length : close + 2 };
  }
  if ((c === '-' && s[i + 1] === '-') || c === '#') {
    const nl = s.indexOf('\n', i);
    return { token: { type: 'c', text: '' }, end: nl === -1 ? s.length : nl + 1 };
  }
  if (c === '(' || c === ')' || c === ',' || c === ';') return { token: { type: c, text: c }, end: i + 1 };
  if (c === '@') {
    let j = i + 1;
    while (j < s.length && (s[j] === '@' || isWordChar(s.charCodeAt(j)))) j++;
    return { token: { type: 'v', text: s.slice(i, j) }, end: j };
  }
  if ((c === '&' && s[i + 1] === '&') || (c === '|' && s[i + 1] === '|')) return { token: { type: '&', text: c + c }, end: i + 2 };
  if ('=<>!+-*/%^&|~:'.includes(c)) {
    let j = i + 1;
    while (j < s.length && j < i + 3 && '=<>!'.includes(s[j])) j++;
    return { token: { type: 'o', text: s.slice(i, j) }, end: j };
  }
  if (code >= 48 && code <= 57) {
    let j = i + 1;
    while (j < s.length && isWordChar(s.charCodeAt(j))) j++;
    const text = s.slice(i, j);
    // 1e5, 0x41, 3.14 are numbers; 2nd, 10px are words.
    return { token: { type: /^(?:0x[0-9a-f]+|0b[01]+|[0-9]+(?:\.[0-9]*)?(?:e[0-9]+)?)$/i.test(text) ? 'n' : 'b', text }, end: j };
  }
  if (isWordChar(code)) {
    let j = i + 1;
    while (j < s.length && isWordChar(s.charCodeAt(j))) j++;
    const text = s.slice(i, j).toLowerCase();
    return { token: { type: wordType(text), text }, end: j };
  }
  return { token: { type: 'o', text: c }, end: i + 1 };
}

function wordType(w: string): string {
  if (w === 'union') return 'U';
  if (STATEMENTS.has(w)) return 'E';
  if (LOGIC.has(w)) return '&';
  if (OPERATORS.has(w)) return 'o';
  if (LITERALS.has(w)) return 'n';
  if (KEYWORDS.has(w)) return 'k';
  return 'b';
}
