import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryBackend } from './memory-backend.ts';
import { periodOf, PeriodClock } from './period.ts';

test('UTC calendar periods: days and months, across a year end and a leap February', () => {
  assert.deepEqual(periodOf(Date.UTC(2031, 11, 31, 23, 59, 59, 999), 'month'), { id: '2031-12', start: Date.UTC(2031, 11, 1), end: Date.UTC(2032, 0, 1) });
  assert.deepEqual(periodOf(Date.UTC(2032, 1, 29, 12), 'month'), { id: '2032-02', start: Date.UTC(2032, 1, 1), end: Date.UTC(2032, 2, 1) });
  assert.deepEqual(periodOf(Date.UTC(2032, 1, 29, 12), 'day'), { id: '2032-02-29', start: Date.UTC(2032, 1, 29), end: Date.UTC(2032, 2, 1) });
  // The first millisecond of a period belongs to it, not to the one before.
  assert.equal(periodOf(Date.UTC(2032, 0, 1), 'day').id, '2032-01-01');
  const clock = new PeriodClock('day');
  const first = clock.at(Date.UTC(2032, 0, 1, 10));
  assert.equal(clock.at(Date.UTC(2032, 0, 1, 23, 59)), first, 'the same period object within the day');
  assert.equal(clock.at(Date.UTC(2032, 0, 2)).id, '2032-01-02');
});

test('the memory backend drops expired counters when it sweeps, and holds no timer until it counts', () => {
  let now = Date.UTC(2032, 0, 1);
  const m = new MemoryBackend(() => now);
  assert.equal((m as unknown as { sweeper?: unknown }).sweeper, undefined);
  m.check(now, [{ kind: 'rate', key: 'a', limit: 10, windowMs: 1000, cost: 1 }], [], true);
  m.check(now, [{ kind: 'quota', key: 'q', limit: 10, resetAt: now + 5000, cost: 1 }], [], true);
  assert.equal(m.size, 2);
  now += 100;
  m.sweep(now);
  assert.equal(m.size, 1, 'the rate counter is full again after one emission interval: nothing to keep');
  now += 5000;
  m.sweep(now);
  assert.equal(m.size, 0);
  m.close();
});
