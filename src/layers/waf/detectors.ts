import type { RequestDescription } from '../../pipeline/types.ts';
import { detectSqli } from './sqli.ts';

/**
 * Detectors: checks that are clearer, faster or safer in code than as a regular expression.
 * Each returns the fragment that shows the problem (for the evidence), or undefined.
 * All are single forward scans.
 */
type ValueDetector = (value: string, raw: string | undefined, max: number) => string | undefined;

export const VALUE_DETECTORS = {
  sqli: (v: string) => detectSqli(v),
  longerThan: (v: string, _raw: string | undefined, max: number) => (v.length > max ? `${v.length} characters (limit ${max})` : undefined),
  nulByte: (v: string, raw: string | undefined) => {
    const s = raw ?? v;
    const at = s.indexOf('\0');
    if (at !== -1) return around(s, at, 1);
    const enc = s.indexOf('%00');
    return enc === -1 ? undefined : around(s, enc, 3);
  },
  badUrlEncoding: (v: string, raw: string | undefined) => badPercent(raw ?? v),
  badUtf8: (v: string) => {
    // Percent-decoding keeps bytes that are not UTF-8 as Latin-1 characters; U+FFFD is what
    // a decoder left for a broken sequence.
    const at = v.indexOf('\uFFFD');
    return at === -1 ? undefined : around(v, at, 1);
  },
  controlChars: (v: string) => {
    for (let i = 0; i < v.length; i++) {
      const c = v.charCodeAt(i);
      if ((c < 32 && c !== 9 && c !== 10 && c !== 13) || c === 127) return `control character U+${c.toString(16).padStart(4, '0')} at ${i}`;
    }
    return undefined;
  },
} satisfies Record<string, ValueDetector>;

/**
 * What a detector needs of a plain value (plain-gate.ts) to fire: punctuation it cannot do without,
 * or '' when it never fires on one (a plain value holds no NUL, no U+FFFD, no control character but
 * tab, line feed and carriage return). A detector not listed always runs.
 */
export const PLAIN_NEEDS: Partial<Record<keyof typeof VALUE_DETECTORS, string>> = { nulByte: '%', badUrlEncoding: '%', badUtf8: '', controlChars: '' };

/** Detectors that read the value as received where decoding changed it (the gate sees the decoded one). */
export const READS_RAW: ReadonlySet<string> = new Set<keyof typeof VALUE_DETECTORS>(['nulByte', 'badUrlEncoding']);

export const REQUEST_DETECTORS = {
  /** Both Content-Length and Transfer-Encoding, or Content-Length values that disagree (request smuggling). */
  conflictingLength: (req: RequestDescription) => {
    const h = req.headers;
    const cl = h['content-length'];
    const te = h['transfer-encoding'];
    if (cl !== undefined && te !== undefined) return `Content-Length: ${String(cl).slice(0, 20)} with Transfer-Encoding: ${String(te).slice(0, 40)}`;
    const raw = req.rawHeaders;
    if (raw) {
      const lengths = new Set<string>();
      for (let i = 0; i < raw.length; i += 2) if (raw[i].toLowerCase() === 'content-length') for (const v of raw[i + 1].split(',')) lengths.add(v.trim());
      if (lengths.size > 1) return `Content-Length values ${[...lengths].slice(0, 4).join(', ')}`;
    }
    return undefined;
  },
};

function around(s: string, at: number, len: number): string {
  return s.slice(Math.max(0, at - 16), at + len + 16);
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

function badPercent(s: string): string | undefined {
  for (let i = s.indexOf('%'); i !== -1; i = s.indexOf('%', i + 1)) {
    if (isHex(s.charCodeAt(i + 1)) && isHex(s.charCodeAt(i + 2))) continue;
    if ((s[i + 1] === 'u' || s[i + 1] === 'U') && [2, 3, 4, 5].every((k) => isHex(s.charCodeAt(i + k)))) continue;
    return around(s, i, 3);
  }
  return undefined;
}
