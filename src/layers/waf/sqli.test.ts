import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BARE_CONTEXT, detectSqli, fingerprint, matches, QUOTED_CONTEXT } from './sqli.ts';

/** Values made of SQL-ish pieces, from a fixed seed: many injections, many near misses. */
function values(n: number): string[] {
  const pieces = ["'", '"', '`', ' ', '1', '0x41', 'or', 'and', 'union', 'all', 'select', 'from', 'sleep', '(', ')', ',', ';', '--', '#', '/*', '*/', '=', '<', 'a', 'users', '@v', '||', '&&', 'char', 'null', 'true', '1e5', '10px', 'drop', 'table', '\n', 'distinct', "O'Brien", 'is', 'like', '-', 'shirt'];
  let seed = 7;
  const next = (k: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed % k);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    let s = '';
    for (let j = 1 + next(10); j > 0; j--) s += pieces[next(pieces.length)] + (next(3) ? ' ' : '');
    out.push(s);
  }
  return out;
}

test('the early stop of the SQL tokenizer only ever stops on values whose full reading does not match', () => {
  let injections = 0;
  let stopped = 0;
  for (const v of values(40_000)) {
    for (const [quote, context] of [['', BARE_CONTEXT], ["'", QUOTED_CONTEXT], ['"', QUOTED_CONTEXT]] as const) {
      if (quote && !v.includes(quote)) continue;
      const full = fingerprint(v, quote)!;
      const early = fingerprint(v, quote, context);
      if (matches(full.types, context)) {
        injections++;
        assert.deepEqual(early, full, `${JSON.stringify(v)} (quote ${quote || 'none'})`);
      } else if (early === undefined) stopped++;
      else assert.deepEqual(early, full);
    }
  }
  // The generator must produce both kinds, or the test proves nothing.
  assert.ok(injections > 500 && stopped > 10_000, `${injections} injections, ${stopped} early stops`);
});

test('prose stops after a few tokens and injections are still found', () => {
  assert.equal(fingerprint('soft cotton shirt with a relaxed fit and a classic collar', '', BARE_CONTEXT), undefined);
  assert.equal(detectSqli('1 or 1=1'), '1 or 1=1');
  assert.equal(detectSqli("x' union all select null--"), "x' union all select null--");
  assert.equal(detectSqli("o'brien"), undefined);
});
