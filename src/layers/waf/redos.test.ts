import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkSync, type Parameters } from 'recheck';
import { planLevel } from './engine.ts';
import { shippedRules } from './index.ts';
import { TRANSFORMS, TRANSFORM_NAMES } from './transforms.ts';

/**
 * No rule may take super-linear time on attacker input. Two independent checks:
 * recheck's analysis of every regular expression (the rules' own and the prefilters that join
 * them), and every rule, prefilter, detector and transformation run over long adversarial
 * strings, bounded by a generous multiple of a linear baseline (not a tight timing assertion:
 * a quadratic pattern on 64 KiB takes seconds, a linear one milliseconds).
 *
 * The recheck verdict must not depend on how busy the machine is. Its fuzzing checker measures
 * attacks against wall-clock limits (attackTimeout, incubationTimeout, seedingTimeout): on a
 * loaded machine a linear pattern's long attack string outlasts them and is reported as
 * "vulnerable". So every pattern goes to the automaton checker, which decides from the pattern
 * alone. Only where it cannot (a look-around next to an unbounded loop) does the fuzzer run, with
 * a fixed seed and every clock limit off, so that only counted steps decide. The overall timeout
 * is a guard against a checker that never finishes, hundreds of times what a check takes.
 */

const rules = shippedRules();
const GUARD_MS = 120_000;
const AUTOMATON: Parameters = { checker: 'automaton', timeout: GUARD_MS };
const FUZZ_BY_STEPS: Parameters = { checker: 'fuzz', randomSeed: 1, timeout: GUARD_MS, attackTimeout: null, incubationTimeout: null, seedingTimeout: null, recallTimeout: -1 };

function verdict(source: string): string | undefined {
  let result = checkSync(source, '', AUTOMATON);
  if (result.status === 'unknown' && result.error.kind === 'unsupported') result = checkSync(source, '', FUZZ_BY_STEPS);
  if (result.status === 'safe') return undefined;
  if (result.status === 'vulnerable') return `vulnerable (${result.checker}: ${result.complexity.summary}, attack ${result.attack.pattern})`;
  return `unknown (${result.checker}: ${JSON.stringify(result.error)})`;
}

test('recheck finds every rule regular expression safe', () => {
  const unsafe: string[] = [];
  for (const r of rules) {
    if (!r.source) continue;
    const v = verdict(r.source);
    if (v) unsafe.push(`${r.id}: ${v}`);
  }
  assert.deepEqual(unsafe, []);
});

test('recheck finds every prefilter safe, or the prefilter is only an alternation of safe rule expressions', () => {
  const plan = planLevel(rules, 4);
  const unsafe: string[] = [];
  let checked = 0;
  for (const [kind, groups] of plan.byKind) {
    for (const g of groups) {
      if (!g.prefilter) continue;
      checked++;
      const result = checkSync(g.prefilter.source, '', AUTOMATON);
      if (result.status === 'safe') continue;
      const label = `prefilter ${kind} (${g.patterns.map((r) => r.id).join(' ')})`;
      // The automaton cannot take look-behind (word lists) beside an unbounded loop. A backtracking
      // search over A|B|C does at each position at most the work of A, B and C there, so the
      // alternation is linear when each part is: the rule test above checks the parts.
      const joined = g.patterns.map((r) => `(?:${r.source})`).join('|');
      if (result.status === 'unknown' && result.error.kind === 'unsupported' && g.prefilter.source === joined) continue;
      unsafe.push(`${label}: ${result.status}${result.status === 'unknown' ? ` ${JSON.stringify(result.error)}` : ''}`);
    }
  }
  assert.ok(checked > 0);
  assert.deepEqual(unsafe, []);
});

/**
 * Attack strings recheck's fuzzer once reported (on a loaded machine, see above) against
 * rce-120, sqli-130, sqli-160 and sqli-190: prefix, repeated unit, suffix. Kept as adversarial input.
 */
const REPORTED_ATTACKS: Array<[string, string, string]> = [
  ['nc j$\x00hjrcgdg/nk.o', '-{j/znj', '&'],
  ['nc j$\x00hjrcgdg/nk.o', '-{j/znmkco{.kn', '&'],
  ['w', ';o', '='],
  ['w', ';e', ''],
  ['', 'select floftu.ee_fool_c.', '\x00'],
  ['', 'select mfnu__uo0ltc.', '\x00'],
  ['s', '=concat("anoc@\x00+_', ''],
  ['s', '=concat("anoc@\x00+xr', ''],
];

/** Strings built to trip backtracking: long runs of what rules look for, without the ending they need. */
function adversarial(size: number): string[] {
  const seeds = ['a', ' ', '0', "'", '<', '<a', 'union ', 'select ', ' or 1', '../', '%', '%2', '&#', '\\x', '/*', '--', ';', '|', '$(', '${', '${jndi', 'on', 'onerror', '<script', 'javascript', 'etc/', '/bin/', '@@', 'char(', 'sleep(', '0x', "' or '", 'a=', '\r\n', 'x\u0000', 'ａ', '() {'];
  const runs = seeds.map((s) => s.repeat(Math.ceil(size / s.length)).slice(0, size));
  const attacks = REPORTED_ATTACKS.map(([prefix, unit, suffix]) => prefix + unit.repeat(Math.ceil(size / unit.length)).slice(0, size) + suffix);
  return [...runs, ...attacks];
}

function timeAll(inputs: string[], fn: (s: string) => unknown): number {
  const t0 = performance.now();
  for (const s of inputs) fn(s);
  return performance.now() - t0;
}

test('every rule, prefilter, transformation and the plain-value gate stay linear on 64 KiB adversarial strings', () => {
  const small = adversarial(4 * 1024);
  const large = adversarial(64 * 1024);
  const plan = planLevel(rules, 4);
  const checks: Array<[string, (s: string) => unknown]> = [
    ...rules.filter((r) => r.test).map((r): [string, (s: string) => unknown] => [r.id, (s) => r.test!(s, s)]),
    ...[...plan.byKind.values()].flat().flatMap((g, i) => (g.prefilter ? [[`prefilter ${i}`, (s: string) => g.prefilter!.test(s)] as [string, (s: string) => unknown]] : [])),
    ...TRANSFORM_NAMES.map((n): [string, (s: string) => unknown] => [`transform ${n}`, TRANSFORMS[n]]),
    ['plain-value gate scan', (s) => plan.gate.scan(s)],
  ];
  const slow: string[] = [];
  for (const [name, fn] of checks) {
    timeAll(small, fn); // warm up (compile)
    const base = Math.max(timeAll(small, fn), 1);
    const big = timeAll(large, fn);
    // 16x the input: linear is ~16x the time; allow 20x that (320x) before calling it super-linear,
    // and never complain under 250 ms for all 45 strings of 64 KiB.
    if (big > 250 && big > base * 320) slow.push(`${name}: ${big.toFixed(0)} ms on 64 KiB vs ${base.toFixed(1)} ms on 4 KiB`);
  }
  assert.deepEqual(slow, []);
});
