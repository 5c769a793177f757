import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ddmin, type Verdict } from './ddmin.ts';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

test('ddmin finds the single part that causes the failure', async () => {
  const tried: number[][] = [];
  const result = await ddmin(range(40), async (s) => {
    tried.push([...s]);
    return s.includes(27) ? 'fail' : 'other';
  });
  assert.deepEqual(result, [27]);
  assert.ok(tried.length < 40, `took ${tried.length} tests`);
});

test('ddmin keeps every part of a failure that needs two parts together', async () => {
  const result = await ddmin(range(16), async (s): Promise<Verdict> => (s.includes(3) && s.includes(12) ? 'fail' : 'other'));
  assert.deepEqual(result, [3, 12]);
});

test('ddmin result is 1-minimal when any one of several parts fails', async () => {
  const result = await ddmin(range(10), async (s): Promise<Verdict> => (s.includes(2) || s.includes(7) ? 'fail' : 'other'));
  assert.equal(result.length, 1);
  assert.ok(result[0] === 2 || result[0] === 7);
});

test('ddmin reports progress with each smaller failing set', async () => {
  const seen: number[] = [];
  await ddmin(range(8), async (s): Promise<Verdict> => (s.includes(5) ? 'fail' : 'other'), (c) => seen.push(c.length));
  assert.deepEqual(seen, [...seen].sort((a, b) => b - a));
  assert.equal(seen.at(-1), 1);
});
