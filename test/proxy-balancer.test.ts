import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Balancer } from '../src/proxy/balancer.ts';

function balancer(weights: number[], policy = { failures: 3, cooldownMs: 1000 }) {
  const clock = { t: 1_000_000 };
  const names = 'abcdefgh';
  const b = new Balancer(
    weights.map((weight, i) => ({ weight, target: names[i]! })),
    policy,
    () => clock.t,
  );
  const picks = (n: number, tried = 0) => Array.from({ length: n }, () => b.pick(tried)?.target ?? '-').join('');
  return { b, clock, picks };
}

// Sequences of nginx's smooth weighted round-robin.
const sequences: Array<{ weights: number[]; picks: string }> = [
  { weights: [1], picks: 'aaaa' },
  { weights: [1, 1], picks: 'abab' },
  { weights: [1, 1, 1], picks: 'abcabc' },
  { weights: [5, 1, 1], picks: 'aabacaaaabacaa' },
  { weights: [3, 1], picks: 'aabaaaba' },
  { weights: [1, 3], picks: 'babbbabb' },
  { weights: [2, 3], picks: 'babab' + 'babab' },
];

for (const row of sequences) {
  test(`smooth weighted round-robin ${row.weights.join(':')} picks ${row.picks}`, () => {
    const { picks } = balancer(row.weights);
    assert.equal(picks(row.picks.length), row.picks);
  });
}

const shares: Array<{ weights: number[]; n: number; expected: Record<string, number> }> = [
  { weights: [3, 1], n: 40, expected: { a: 30, b: 10 } },
  { weights: [1, 1, 2], n: 40, expected: { a: 10, b: 10, c: 20 } },
  { weights: [10, 1], n: 110, expected: { a: 100, b: 10 } },
];

for (const row of shares) {
  test(`weights ${row.weights.join(':')} over ${row.n} picks share exactly`, () => {
    const { picks } = balancer(row.weights);
    const counts: Record<string, number> = {};
    for (const c of picks(row.n)) counts[c] = (counts[c] ?? 0) + 1;
    assert.deepEqual(counts, row.expected);
  });
}

test('the tried set leaves peers out; nothing left gives undefined', () => {
  const { b, picks } = balancer([1, 1, 1]);
  assert.equal(picks(4, 0b001), 'bcbc');
  assert.equal(picks(2, 0b011), 'cc');
  assert.equal(b.pick(0b111), undefined);
  const single = balancer([1]);
  assert.equal(single.b.pick(0b1), undefined);
});

// Failure bookkeeping, step by step: [action, expected picks afterwards].
type Step = { do: 'fail-a' | 'fail-b' | 'ok-a' | 'tick'; ms?: number; picks: string };
const healthRows: Array<{ name: string; weights: number[]; failures: number; steps: Step[] }> = [
  {
    name: 'ejected after N consecutive failures, back after the cool-down',
    weights: [1, 1],
    failures: 2,
    steps: [
      { do: 'fail-a', picks: 'abab' },
      { do: 'fail-a', picks: 'bbbb' },
      { do: 'tick', ms: 999, picks: 'bb' },
      { do: 'tick', ms: 1, picks: 'abab' },
    ],
  },
  {
    name: 'a success in between starts the count over',
    weights: [1, 1],
    failures: 2,
    steps: [
      { do: 'fail-a', picks: 'ab' },
      { do: 'ok-a', picks: 'ab' },
      { do: 'fail-a', picks: 'abab' },
      { do: 'fail-a', picks: 'bb' },
    ],
  },
  {
    name: 'after the cool-down one more failure ejects again at once',
    weights: [1, 1],
    failures: 3,
    steps: [
      { do: 'fail-a', picks: '' },
      { do: 'fail-a', picks: '' },
      { do: 'fail-a', picks: 'bb' },
      { do: 'tick', ms: 1000, picks: 'ab' },
      { do: 'fail-a', picks: 'bbb' },
      { do: 'tick', ms: 1000, picks: 'ab' },
      { do: 'ok-a', picks: '' },
      { do: 'fail-a', picks: 'abab' },
    ],
  },
  {
    name: 'every peer ejected: nothing to pick until a cool-down ends',
    weights: [1, 1],
    failures: 1,
    steps: [
      { do: 'fail-a', picks: 'bb' },
      { do: 'fail-b', picks: '--' },
      { do: 'tick', ms: 1000, picks: 'abab' },
    ],
  },
];

for (const row of healthRows) {
  test(`passive health: ${row.name}`, () => {
    const { b, clock, picks } = balancer(row.weights, { failures: row.failures, cooldownMs: 1000 });
    const [a, bb] = b.peers;
    row.steps.forEach((step, i) => {
      if (step.do === 'fail-a') b.failure(a!);
      else if (step.do === 'fail-b') b.failure(bb!);
      else if (step.do === 'ok-a') b.success(a!);
      else clock.t += step.ms!;
      assert.equal(picks(step.picks.length), step.picks, `step ${i} (${step.do})`);
    });
  });
}

test('isEjected and the failure count are visible for health reports', () => {
  const { b, clock } = balancer([1], { failures: 2, cooldownMs: 500 });
  const [a] = b.peers;
  b.failure(a!);
  assert.equal(b.isEjected(a!), false);
  assert.equal(a!.consecutiveFailures, 1);
  b.failure(a!);
  assert.equal(b.isEjected(a!), true);
  assert.equal(a!.ejectedUntil, clock.t + 500);
  clock.t += 500;
  assert.equal(b.isEjected(a!), false);
  assert.equal(a!.consecutiveFailures, 2, 'the count stays until a success');
});
