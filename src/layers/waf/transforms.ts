import { decodeHTML } from 'entities';

/**
 * Transformations applied to a value before a rule looks at it, named as in ModSecurity /
 * Coraza (t:urlDecodeUni, t:htmlEntityDecode, ...). Each is a pure string → string function
 * that returns its input unchanged (the same string) when it has nothing to do, so the
 * engine can tell which ones applied and record them in the evidence.
 *
 * Every one runs in time linear in its input: single forward scans, no regular expression
 * that could backtrack.
 */
export const TRANSFORM_NAMES = [
  'urlDecode',
  'htmlEntityDecode',
  'jsDecode',
  'normalize',
  'lowercase',
  'compressWhitespace',
  'removeWhitespace',
  'removeComments',
  'replaceComments',
  'removeNulls',
  'normalizePath',
  'cmdLine',
] as const;
export type TransformName = (typeof TRANSFORM_NAMES)[number];

type Transform = (s: string) => string;

/** How many rounds urlDecode makes at most (a value encoded three times is decoded whole). */
const URL_DECODE_ROUNDS = 3;

export const TRANSFORMS: Record<TransformName, Transform> = {
  urlDecode: (s) => {
    let out = s;
    for (let i = 0; i < URL_DECODE_ROUNDS; i++) {
      const next = percentDecode(out);
      if (next === out) break;
      out = next;
    }
    return out;
  },
  // `entities` decodes named, decimal and hex references, with or without the final ';'.
  htmlEntityDecode: (s) => (s.includes('&') ? decodeHTML(s) : s),
  jsDecode: (s) => (s.includes('\\') ? jsUnescape(s) : s),
  // NFKC folds fullwidth (ＳＥＬＥＣＴ), ligatures and other compatibility forms to plain ones.
  normalize: (s) => (isAscii(s) ? s : s.normalize('NFKC')),
  lowercase: (s) => s.toLowerCase(),
  compressWhitespace: (s) => (hasWhitespaceRun(s) ? compress(s) : s),
  removeWhitespace: (s) => (hasWhitespace(s) ? removeWs(s) : s),
  removeComments: (s) => comments(s, ''),
  replaceComments: (s) => comments(s, ' '),
  removeNulls: (s) => (s.includes('\0') ? s.split('\0').join('') : s),
  normalizePath: (s) => (s.includes('\\') || s.includes('//') || s.includes('/./') ? normalizePath(s) : s),
  cmdLine: (s) => cmdLine(s),
};

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * One round of lenient percent-decoding (%XX, %uXXXX, '+' as space), as urlDecodeUni does.
 * Written by hand because decodeURIComponent throws on the malformed sequences attackers
 * send; bytes are decoded as UTF-8 where they form valid sequences and kept as Latin-1
 * characters where not.
 */
export function percentDecode(s: string): string {
  if (!s.includes('%') && !s.includes('+')) return s;
  const bytes: number[] = [];
  let out = '';
  const flush = () => {
    if (bytes.length) {
      const buf = Buffer.from(bytes);
      const utf8 = buf.toString('utf8');
      out += utf8.includes('\uFFFD') ? buf.toString('latin1') : utf8;
      bytes.length = 0;
    }
  };
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 37 /* % */) {
      if ((s[i + 1] === 'u' || s[i + 1] === 'U') && i + 5 < s.length) {
        const h = [2, 3, 4, 5].map((k) => hexValue(s.charCodeAt(i + k)));
        if (h.every((x) => x >= 0)) {
          flush();
          out += String.fromCharCode((h[0] << 12) | (h[1] << 8) | (h[2] << 4) | h[3]);
          i += 5;
          continue;
        }
      }
      const hi = hexValue(s.charCodeAt(i + 1));
      const lo = hexValue(s.charCodeAt(i + 2));
      if (hi >= 0 && lo >= 0) {
        bytes.push((hi << 4) | lo);
        i += 2;
        continue;
      }
    }
    flush();
    out += c === 43 /* + */ ? ' ' : s[i];
  }
  flush();
  return out;
}

/** \xHH, \uHHHH, \u{H..}, \OOO and the single-character escapes of JavaScript/CSS strings. */
function jsUnescape(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '\\' || i + 1 >= s.length) {
      out += s[i];
      continue;
    }
    const n = s[i + 1];
    if (n === 'x' && hexValue(s.charCodeAt(i + 2)) >= 0 && hexValue(s.charCodeAt(i + 3)) >= 0) {
      out += String.fromCharCode(parseInt(s.slice(i + 2, i + 4), 16));
      i += 3;
    } else if (n === 'u' && /^[0-9a-fA-F]{4}$/.test(s.slice(i + 2, i + 6))) {
      out += String.fromCharCode(parseInt(s.slice(i + 2, i + 6), 16));
      i += 5;
    } else if (n >= '0' && n <= '7') {
      let j = i + 1;
      while (j < i + 4 && s[j] >= '0' && s[j] <= '7') j++;
      out += String.fromCharCode(parseInt(s.slice(i + 1, j), 8) & 0xff);
      i = j - 1;
    } else {
      out += n === 'n' ? '\n' : n === 't' ? '\t' : n === 'r' ? '\r' : n;
      i += 1;
    }
  }
  return out;
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 127) return false;
  return true;
}

function isWs(c: number): boolean {
  // space, \t \n \v \f \r, NBSP
  return c === 32 || (c >= 9 && c <= 13) || c === 160;
}

function hasWhitespace(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (isWs(s.charCodeAt(i))) return true;
  return false;
}

function hasWhitespaceRun(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isWs(c) && (c !== 32 || (i + 1 < s.length && isWs(s.charCodeAt(i + 1))))) return true;
  }
  return false;
}

function compress(s: string): string {
  let out = '';
  let inWs = false;
  for (let i = 0; i < s.length; i++) {
    if (isWs(s.charCodeAt(i))) {
      if (!inWs) out += ' ';
      inWs = true;
    } else {
      out += s[i];
      inWs = false;
    }
  }
  return out;
}

function removeWs(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) if (!isWs(s.charCodeAt(i))) out += s[i];
  return out;
}

/**
 * Removes (or replaces with `by`) C comments (`/* ... *\/`, also unterminated), and SQL/shell
 * line comments (`-- ` and `#` to the end of the line). `/*!50000 ... *\/` MySQL version
 * comments keep their content, since MySQL runs it.
 */
function comments(s: string, by: string): string {
  if (!s.includes('/*') && !s.includes('--') && !s.includes('#')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '/' && s[i + 1] === '*') {
      if (s[i + 2] === '!') {
        let j = i + 3;
        while (j < s.length && s[j] >= '0' && s[j] <= '9') j++;
        out += by;
        i = j - 1;
        continue;
      }
      const end = s.indexOf('*/', i + 2);
      out += by;
      i = end === -1 ? s.length : end + 1;
    } else if (c === '*' && s[i + 1] === '/') {
      out += by;
      i += 1;
    } else if ((c === '-' && s[i + 1] === '-') || c === '#') {
      const end = s.indexOf('\n', i);
      out += by;
      i = end === -1 ? s.length : end - 1;
    } else {
      out += c;
    }
  }
  return out;
}

/** Backslashes to slashes, repeated slashes to one, `/./` to `/` (`../` is kept: rules look for it). */
function normalizePath(s: string): string {
  let out = '';
  let last = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] === '\\' ? '/' : s[i];
    if (c === '/' && last === '/') continue;
    if (c === '.' && last === '/' && (s[i + 1] === '/' || s[i + 1] === '\\')) {
      i++;
      continue;
    }
    out += c;
    last = c;
  }
  return out;
}

/**
 * Coraza's t:cmdLine: deletes \ " ' ^; deletes spaces before / and (; turns , and ; into a
 * space; compresses whitespace; lowercases. `c\a"t /e't'c/pa''sswd` becomes `cat/etc/passwd`.
 */
function cmdLine(s: string): string {
  let out = '';
  let pendingSpace = false;
  for (let i = 0; i < s.length; i++) {
    let c = s[i];
    if (c === '\\' || c === '"' || c === "'" || c === '^') continue;
    if (c === ',' || c === ';') c = ' ';
    if (isWs(c.charCodeAt(0))) {
      pendingSpace = true;
      continue;
    }
    if (pendingSpace && c !== '/' && c !== '(' && out.length > 0) out += ' ';
    pendingSpace = false;
    out += c;
  }
  return out.toLowerCase();
}

/** A value after a chain of transformations, with the names of those that changed it. */
export interface Transformed {
  value: string;
  applied: readonly string[];
}

/** Applies `chain` in order; `applied` lists the transformations that changed the value. */
export function applyChain(value: string, chain: readonly TransformName[]): Transformed {
  let v = value;
  const applied: string[] = [];
  for (const name of chain) {
    const next = TRANSFORMS[name](v);
    if (next !== v) {
      applied.push(name);
      v = next;
    }
  }
  return { value: v, applied };
}
