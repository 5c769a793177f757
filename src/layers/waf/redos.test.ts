import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkSync } from 'recheck';
import { planLevel } from './engine.ts';
import { shippedRules } from './index.ts';
import { TRANSFORMS, TRANSFORM_NAMES } from './transforms.ts';

/**
 * No rule may take super-linear time on attacker input. Two independent checks:
 * recheck's static/fuzzing analysis of every regular expression (the rules' own and the
 * prefilters that join them), and every rule, prefilter, detector and transformation run over
 * long adversarial strings, bounded by a generous multiple of a linear baseline (not a tight
 * timing assertion: a quadratic pattern on 64 KiB takes seconds, a linear one milliseconds).
 */

const rules = shippedRules();
const patterns = new Map<string, string>();
for (const r of rules) if (r.source) patterns.set(r.id, r.source);

test('recheck finds every rule regular expression safe', () => {
  const unsafe: string[] = [];
  for (const [id, source] of patterns) {
    // A busy machine can run the checker out of time ('unknown'): try again with more before judging.
    let result = checkSync(source, '', { timeout: 20_000, randomSeed: 1 });
    if (result.status === 'unknown') result = checkSync(source, '', { timeout: 120_000, randomSeed: 1 });
    if (result.status !== 'safe') unsafe.push(`${id}: ${result.status}${result.status === 'vulnerable' ? ` (${result.complexity.summary}, attack ${result.attack.pattern})` : ''}`);
  }
  assert.deepEqual(unsafe, []);
});

/** Strings built to trip backtracking: long runs of what rules look for, without the ending they need. */
function adversarial(size: number): string[] {
  const seeds = ['a', ' ', '0', "'", '<', '<a', 'union ', 'select ', ' or 1', '../', '%', '%2', '&#', '\\x', '/*', '--', ';', '|', '$(', '${', '${jndi', 'on', 'onerror', '<script', 'javascript', 'etc/', '/bin/', '@@', 'char(', 'sleep(', '0x', "' or '", 'a=', '\r\n', 'x\u0000', 'ａ', '() {'];
  return seeds.map((s) => s.repeat(Math.ceil(size / s.length)).slice(0, size));
}

function timeAll(inputs: string[], fn: (s: string) => unknown): number {
  const t0 = performance.now();
  for (const s of inputs) fn(s);
  return performance.now() - t0;
}

test('every rule, prefilter and transformation stays linear on 64 KiB adversarial strings', () => {
  const small = adversarial(4 * 1024);
  const large = adversarial(64 * 1024);
  const plan = planLevel(rules, 4);
  const checks: Array<[string, (s: string) => unknown]> = [
    ...rules.filter((r) => r.test).map((r): [string, (s: string) => unknown] => [r.id, (s) => r.test!(s, s)]),
    ...[...plan.byKind.values()].flat().flatMap((g, i) => (g.prefilter ? [[`prefilter ${i}`, (s: string) => g.prefilter!.test(s)] as [string, (s: string) => unknown]] : [])),
    ...TRANSFORM_NAMES.map((n): [string, (s: string) => unknown] => [`transform ${n}`, TRANSFORMS[n]]),
  ];
  const slow: string[] = [];
  for (const [name, fn] of checks) {
    timeAll(small, fn); // warm up (compile)
    const base = Math.max(timeAll(small, fn), 1);
    const big = timeAll(large, fn);
    // 16x the input: linear is ~16x the time; allow 20x that (320x) before calling it super-linear,
    // and never complain under 250 ms for all 37 strings of 64 KiB.
    if (big > 250 && big > base * 320) slow.push(`${name}: ${big.toFixed(0)} ms on 64 KiB vs ${base.toFixed(1)} ms on 4 KiB`);
  }
  assert.deepEqual(slow, []);
});
