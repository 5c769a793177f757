import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ON_PLAIN, PlainGate } from './plain-gate.ts';
import { TRANSFORM_NAMES, TRANSFORMS } from './transforms.ts';

/**
 * What the gate stands on, checked on the transformations themselves: on a plain value, those
 * ON_PLAIN calls identities return it unchanged; every other one yields only characters of the
 * value (lowercased) and spaces; and a stretch of its output without its break characters is a
 * stretch of the value (lowercased), unless it joins characters (then the gate uses no words).
 */

const ALPHABET = ['a', 'B', 'z', 'Q', '0', '7', '_', ' ', ' ', '  ', '\t', '\n', '\r', '/', '//', '/./', '.', '-', '--', '#', '*', '/*', '*/', '/*!', "'", '"', '^', ',', ';', '(', ')', '<', '=', ':', '$', '|', '`', '~', 'É', 'é', 'ß', 'ÿ', 'Þ', 'select', 'SeLeCt', 'etc/passwd'];

function plainValues(n: number): string[] {
  let seed = 3;
  const next = (k: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed % k);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    let s = '';
    for (let j = next(12); j >= 0; j--) s += ALPHABET[next(ALPHABET.length)];
    out.push(s);
  }
  return out;
}

const gate = new PlainGate();
gate.seal();
const values = plainValues(20_000);

test('the generated values are plain, and values with what decoding acts on are not', () => {
  for (const v of values) assert.ok(gate.scan(v), JSON.stringify(v));
  for (const v of ['50%', 'a+b', 'Tom & Jerry', 'C:\\x', 'x\u0000', 'x\u000b', '\u00a0', '×', 'ＳＥＬＥＣＴ', 'ﬁ', '😀', 'İ']) assert.equal(gate.scan(v), false, JSON.stringify(v));
});

test('on plain values, each transformation keeps to what the gate assumes of it', () => {
  for (const name of TRANSFORM_NAMES) {
    const how = ON_PLAIN[name];
    const breaks = how.breaks ?? '';
    for (const v of values) {
      const out = TRANSFORMS[name](v);
      if (how.identity) {
        assert.equal(out, v, `${name} changed ${JSON.stringify(v)}`);
        continue;
      }
      const lower = v.toLowerCase();
      for (const ch of out) assert.ok(ch === ' ' || lower.includes(ch) || v.includes(ch), `${name}(${JSON.stringify(v)}) = ${JSON.stringify(out)} holds ${JSON.stringify(ch)}`);
      if (how.joins || [...(how.veto ?? '')].some((c) => v.includes(c))) continue;
      const pieces = breaks ? out.split(new RegExp(`[${breaks.replace(/[\\\]^-]/g, '\\$&')}]`)) : [out];
      for (const piece of pieces) assert.ok(lower.includes(piece.toLowerCase()), `${name}(${JSON.stringify(v)}) = ${JSON.stringify(out)}: ${JSON.stringify(piece)} is not in the value`);
    }
  }
});
