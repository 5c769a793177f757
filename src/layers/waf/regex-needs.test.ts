import assert from 'node:assert/strict';
import { test } from 'node:test';
import { shippedRules } from './index.ts';
import { PUNCTUATION, regexNeeds, RegexNeedsError } from './regex-needs.ts';

/** A condition as text: alternatives of punctuation, `-` for "none needed". */
function punct(source: string): string[] {
  return regexNeeds(source).punct.map((m) => [...PUNCTUATION].filter((_, i) => m & (1 << i)).join('') || '-');
}

test('punctuation a match cannot do without', () => {
  assert.deepEqual(punct('(?:^|[\\s"\'`;/0-9=,(<])on[a-z]{3,25} ?= ?[^=\\s]'), ['=']);
  assert.deepEqual(punct('<(?:/ ?)?script\\b'), ['<']);
  assert.deepEqual(punct('(?:[;|]|&&|\\$\\()\\s{0,5}id').sort(), ['$(', '&', ';', '|']);
  assert.deepEqual(punct('\\bunion ?select\\b'), ['-']);
  assert.deepEqual(punct('a?;?b*'), ['-']);
  // No plain text holds a NUL: nothing can match.
  assert.deepEqual(punct('\\x00'), []);
});

test('words every match contains', () => {
  assert.deepEqual(regexNeeds('\\bunion ?(?:all |distinct )?\\(* ?select\\b').atoms, ['select']);
  assert.deepEqual(regexNeeds('(?<![a-z0-9_])(?:pg_user|sysobjects)(?![a-z0-9_])').atoms?.sort(), ['pg_user', 'sysobjects']);
  assert.deepEqual(regexNeeds('\\b(?:sleep|pg_sleep)\\(').atoms, ['sleep(']);
  // An optional part or a short alternative leaves nothing to look for.
  assert.equal(regexNeeds('(?:select)?x').atoms, undefined);
  assert.equal(regexNeeds('select|or').atoms, undefined);
  // A back-reference and a look-around say nothing, and take nothing away.
  assert.deepEqual(regexNeeds('(a|b)=\\1 union').atoms, [' union']);
});

test('syntax it does not read is refused, so that the rule is not gated', () => {
  for (const source of ['\\p{L}', 'a{', '\\k<x>', '(?<x>a)\\k<x>', '[z-a]']) assert.throws(() => regexNeeds(source), RegexNeedsError, source);
});

test('every shipped rule expression is read', () => {
  for (const r of shippedRules()) if (r.source) assert.doesNotThrow(() => regexNeeds(r.source!), r.id);
});
