import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NOT_PLAIN_VALUE, ON_PLAIN, PLAIN, PLAIN_ONCE_DECODED, PlainGate } from './plain-gate.ts';
import { TRANSFORM_NAMES, TRANSFORMS } from './transforms.ts';

/**
 * What the gate stands on, checked on the transformations themselves: on a plain value, those
 * ON_PLAIN calls identities return it unchanged; on a value plain once decoded (% + & too), every
 * other one yields only characters of the value (lowercased) and spaces, and a stretch of its
 * output without its break characters is a stretch of the value (lowercased), unless it joins
 * characters (then the gate uses no words).
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
const decodable = values.map((v, i) => v + ['%', '+', '&', '%2f', '&lt;', 'a+b'][i % 6]);

test('the generated values are plain (or plain once decoded), and others are not', () => {
  for (const v of values) assert.equal(gate.scan(v), PLAIN, JSON.stringify(v));
  for (const v of decodable) assert.equal(gate.scan(v), PLAIN_ONCE_DECODED, JSON.stringify(v));
  for (const v of ['C:\\x', 'x\u0000', 'x\u000b', '\u00a0', '×', 'ＳＥＬＥＣＴ', 'ﬁ', '😀', 'İ', '\ufffd']) assert.equal(gate.scan(v), NOT_PLAIN_VALUE, JSON.stringify(v));
});

test('on plain values, each transformation keeps to what the gate assumes of it', () => {
  for (const name of TRANSFORM_NAMES) {
    const how = ON_PLAIN[name];
    const breaks = how.breaks ?? '';
    if (how.identity) {
      for (const v of values) assert.equal(TRANSFORMS[name](v), v, `${name} changed ${JSON.stringify(v)}`);
      continue;
    }
    for (const v of [...values, ...decodable]) {
      const out = TRANSFORMS[name](v);
      const lower = v.toLowerCase();
      for (const ch of out) assert.ok(ch === ' ' || lower.includes(ch) || v.includes(ch), `${name}(${JSON.stringify(v)}) = ${JSON.stringify(out)} holds ${JSON.stringify(ch)}`);
      if (how.joins || [...(how.veto ?? '')].some((c) => v.includes(c))) continue;
      const pieces = breaks ? out.split(new RegExp(`[${breaks.replace(/[\\\]^-]/g, '\\$&')}]`)) : [out];
      for (const piece of pieces) assert.ok(lower.includes(piece.toLowerCase()), `${name}(${JSON.stringify(v)}) = ${JSON.stringify(out)}: ${JSON.stringify(piece)} is not in the value`);
    }
  }
});
