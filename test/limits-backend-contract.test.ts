// One suite, two backends: the memory backend and the Redis backend (against the real Redis
// on 127.0.0.1:6379, under a key prefix of its own) must decide every case alike.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import type { Cell } from '../src/layers/limits/backend.ts';
import { bothBackends } from './helpers/limit-backends.ts';
import { REDIS_URL } from './helpers/redis-keys.ts';

const T0 = Date.UTC(2031, 0, 31, 23, 59, 50);

const both = bothBackends(() => T0);
const redis = both.redis;

before(() => both.ready());
after(() => both.close());

const rate = (key: string, limit: number, windowS: number, cost = 1): Cell => ({ kind: 'rate', key, limit, windowMs: windowS * 1000, cost });
const quota = (key: string, limit: number, resetAt: number, cost = 1): Cell => ({ kind: 'quota', key, limit, resetAt, cost });

for (const [name, backend] of both.each) {
  describe(`limits backend contract: ${name}`, () => {
    const fresh = both.fresh;

    test('a burst of exactly the limit passes, the next is refused with the exact wait', async () => {
      const k = fresh() + 'a';
      for (let i = 0; i < 5; i++) {
        const r = await backend.check(T0, [rate(k, 5, 10)], [], true);
        assert.equal(r.admitted, true, `request ${i + 1}`);
        assert.equal(r.cells[0].remaining, 4 - i);
      }
      const refused = await backend.check(T0, [rate(k, 5, 10)], [], true);
      assert.equal(refused.admitted, false);
      assert.equal(refused.cells[0].remaining, 0);
      assert.equal(refused.cells[0].used, 5);
      // One unit refills every 2 s (10 s / 5).
      assert.equal(refused.cells[0].retryAfterMs, 2000);
      assert.equal(refused.cells[0].resetMs, 10000);
      // Not a millisecond early: still refused 1 ms before, admitted at the wait.
      assert.equal((await backend.check(T0 + 1999, [rate(k, 5, 10)], [], true)).admitted, false);
      assert.equal((await backend.check(T0 + 2000, [rate(k, 5, 10)], [], true)).admitted, true);
    });

    test('no burst at a window edge: after a full burst, the next window admits only what refilled', async () => {
      const k = fresh() + 'edge';
      for (let i = 0; i < 10; i++) assert.equal((await backend.check(T0 + 900, [rate(k, 10, 1)], [], true)).admitted, true);
      // A fixed 1 s window would reset at T0 + 1000 and admit 10 more; GCRA admits one per 100 ms.
      let admitted = 0;
      for (let i = 0; i < 10; i++) if ((await backend.check(T0 + 1000, [rate(k, 10, 1)], [], true)).admitted) admitted++;
      assert.equal(admitted, 1);
    });

    test('weighted cost: a cost-3 request takes three units, and is refused when fewer remain', async () => {
      const k = fresh() + 'w';
      const r1 = await backend.check(T0, [rate(k, 5, 5, 3)], [], true);
      assert.equal(r1.admitted, true);
      assert.equal(r1.cells[0].remaining, 2);
      const r2 = await backend.check(T0, [rate(k, 5, 5, 3)], [], true);
      assert.equal(r2.admitted, false);
      assert.equal(r2.cells[0].remaining, 2);
      assert.equal(r2.cells[0].retryAfterMs, 1000);
      assert.equal((await backend.check(T0, [rate(k, 5, 5, 2)], [], true)).admitted, true);
    });

    test('several windows at once: all or nothing, a refused request charges no window', async () => {
      const p = fresh();
      const cells = [rate(p + 's', 2, 1), rate(p + 'h', 3, 3600)];
      assert.equal((await backend.check(T0, cells, [], true)).admitted, true);
      assert.equal((await backend.check(T0, cells, [], true)).admitted, true);
      const third = await backend.check(T0, cells, [], true);
      assert.equal(third.admitted, false);
      assert.deepEqual(third.cells.map((c) => c.allowed), [false, true]);
      // The hour window was not charged by the refused request: one is still left.
      const later = await backend.check(T0 + 1000, cells, [], true);
      assert.equal(later.admitted, true);
      assert.equal(later.cells[1].remaining, 0);
      const refusedByHour = await backend.check(T0 + 5000, cells, [], true);
      assert.deepEqual(refusedByHour.cells.map((c) => c.allowed), [true, false]);
      assert.equal(refusedByHour.cells[1].retryAfterMs, 1200 * 1000 - 5000);
    });

    test('quota: counts to the limit, then refuses until the period ends, and a new period starts at zero', async () => {
      const p = fresh();
      const end = Date.UTC(2031, 1, 1);
      const q = (now: number) => [quota(p + 'q:2031-01', 3, end)];
      for (let i = 0; i < 3; i++) assert.equal((await backend.check(T0, q(T0), [], true)).admitted, true);
      const refused = await backend.check(T0, q(T0), [], true);
      assert.equal(refused.admitted, false);
      assert.equal(refused.cells[0].retryAfterMs, end - T0);
      assert.equal(refused.cells[0].used, 3);
      assert.equal((await backend.check(end, [quota(p + 'q:2031-02', 3, Date.UTC(2031, 2, 1))], [], true)).admitted, true);
    });

    test('dry run reads the state and charges nothing', async () => {
      const k = fresh() + 'd';
      await backend.check(T0, [rate(k, 2, 60)], [], true);
      for (let i = 0; i < 5; i++) {
        const r = await backend.check(T0, [rate(k, 2, 60)], [], false);
        assert.equal(r.admitted, true);
        assert.equal(r.cells[0].remaining, 0);
      }
      assert.equal((await backend.check(T0, [rate(k, 2, 60)], [], true)).admitted, true);
      assert.equal((await backend.check(T0, [rate(k, 2, 60)], [], false)).admitted, false);
    });

    test('suspensions: checked before any cell, kept first-come, lifted', async () => {
      const p = fresh();
      const cell = rate(p + 'r', 1, 60);
      await backend.suspend(p + 'suspended:tenant:acme', { at: T0, reason: 'quota exceeded' });
      await backend.suspend(p + 'suspended:tenant:acme', { at: T0 + 5, reason: 'second' });
      const r = await backend.check(T0, [cell], [p + 'suspended:consumer:alice', p + 'suspended:tenant:acme'], true);
      assert.equal(r.admitted, false);
      assert.deepEqual(r.suspended, { index: 1, record: { at: T0, reason: 'quota exceeded' } });
      const listed = await backend.suspensions(p + 'suspended:');
      assert.deepEqual([...listed.keys()], [p + 'suspended:tenant:acme']);
      assert.equal(await backend.lift(p + 'suspended:tenant:acme'), true);
      assert.equal(await backend.lift(p + 'suspended:tenant:acme'), false);
      // The suspended check charged nothing: the one unit is still there.
      assert.equal((await backend.check(T0, [cell], [p + 'suspended:tenant:acme'], true)).admitted, true);
    });

    test('adjust: a rate cell is corrected both ways, never below empty, and the next check sees it', async () => {
      const k = fresh() + 'adj-r';
      // 100 tokens per 60 s (T = 600 ms); a call reserves 50.
      const reserve = await backend.check(T0, [rate(k, 100, 60, 50)], [], true);
      assert.equal(reserve.cells[0].used, 50);
      // It used 20: 30 go back.
      assert.deepEqual(await backend.adjust(T0, [rate(k, 100, 60, -30)]), [20]);
      assert.equal((await backend.check(T0, [rate(k, 100, 60, 80)], [], false)).admitted, true);
      assert.equal((await backend.check(T0, [rate(k, 100, 60, 81)], [], false)).admitted, false);
      // It used 70 more than reserved: charged even over the limit (it happened), and the next call waits.
      assert.deepEqual(await backend.adjust(T0, [rate(k, 100, 60, 90)]), [100]);
      const waits = await backend.check(T0, [rate(k, 100, 60, 1)], [], false);
      assert.equal(waits.admitted, false);
      // TAT = T0 + 110 units * 600 ms = 66 s: one unit fits after 6.6 s.
      assert.equal(waits.cells[0].retryAfterMs, 6600);
      // Giving back more than was ever charged empties the cell, no lower.
      assert.deepEqual(await backend.adjust(T0, [rate(k, 100, 60, -1000)]), [0]);
      const full = await backend.check(T0, [rate(k, 100, 60, 100)], [], false);
      assert.equal(full.admitted, true);
      assert.equal(full.cells[0].remaining, 0);
      // A correction of a cell that already drained (its TAT in the past) starts from now.
      assert.deepEqual(await backend.adjust(T0 + 120_000, [rate(k, 100, 60, 10)]), [10]);
    });

    test('adjust: a quota is corrected both ways, never below 0, and a period that ended is left alone', async () => {
      const p = fresh();
      const end = Date.UTC(2031, 1, 1);
      const q = (cost: number) => quota(p + 'q:2031-01', 1_000_000, end, cost);
      assert.equal((await backend.check(T0, [q(400_000)], [], true)).cells[0].used, 400_000);
      assert.deepEqual(await backend.adjust(T0, [q(-350_000)]), [50_000]);
      assert.deepEqual(await backend.adjust(T0, [q(25_000)]), [75_000]);
      assert.equal((await backend.check(T0, [q(925_000)], [], false)).admitted, true);
      assert.equal((await backend.check(T0, [q(925_001)], [], false)).admitted, false);
      assert.deepEqual(await backend.adjust(T0, [q(-5_000_000)]), [0]);
      assert.equal((await backend.check(T0, [q(1_000_000)], [], false)).admitted, true);
      // After the period's end the correction is dropped: the new period owes nothing.
      assert.deepEqual(await backend.adjust(end, [q(300)]), [0]);
      assert.equal((await backend.check(end - 1, [q(1_000_000)], [], false)).admitted, true);
    });

    test('adjust: several cells in one call, each corrected on its own', async () => {
      const p = fresh();
      const end = Date.UTC(2031, 1, 1);
      await backend.check(T0, [rate(p + 'r', 10, 10, 4), quota(p + 'q', 100, end, 40)], [], true);
      assert.deepEqual(await backend.adjust(T0, [rate(p + 'r', 10, 10, -3), quota(p + 'q', 100, end, 7)]), [1, 47]);
      assert.deepEqual(await backend.adjust(T0, []), []);
    });

    test('fractional emission intervals do not drift: 3 per second admits exactly 3 at once', async () => {
      const k = fresh() + 'f';
      let admitted = 0;
      for (let i = 0; i < 4; i++) if ((await backend.check(T0, [rate(k, 3, 1)], [], true)).admitted) admitted++;
      assert.equal(admitted, 3);
      let later = 0;
      for (let i = 0; i < 4; i++) if ((await backend.check(T0 + 1000, [rate(k, 3, 1)], [], true)).admitted) later++;
      assert.equal(later, 3);
    });
  });
}

test('redis backend: one round trip per check, a single EVALSHA (the reads and writes run inside the script)', async () => {
  const p = both.fresh();
  const cells = [rate(p + 'a', 100, 1), rate(p + 'b', 1000, 3600), quota(p + 'q', 100, T0 + 3600_000)];
  await redis.check(T0, cells, [p + 'suspended:consumer:x'], true); // loads the script if this Redis has not seen it
  const watcher = new Redis(REDIS_URL);
  const monitor = await watcher.monitor();
  const seen: string[] = [];
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    if (args.some((a) => a.startsWith(p))) seen.push(`${source.startsWith('lua') ? 'lua ' : ''}${args[0].toLowerCase()}`);
  });
  try {
    for (let i = 0; i < 5; i++) await redis.check(T0 + i, cells, [p + 'suspended:consumer:x'], true);
    await new Promise((r) => setTimeout(r, 200));
  } finally {
    monitor.disconnect();
    watcher.disconnect();
  }
  const topLevel = seen.filter((s) => !s.startsWith('lua '));
  assert.deepEqual(topLevel, ['evalsha', 'evalsha', 'evalsha', 'evalsha', 'evalsha']);
  assert.ok(seen.some((s) => s === 'lua get'), 'the reads happen inside the script');
});
