// The bench's ratios are paired by round: round i of one target against round i of the other
// (measured back to back), then the median and spread of those per-round values.
// Run: npx tsx --test bench/report.test.ts
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Measurement } from './load.ts';
import type { BenchOptions, TargetName } from './options.ts';
import { authnCosts, formatPaired, LABELS, median, medianCiRank, pairedDifference, pairedRatio, ratios, renderJson, renderTable, type TargetResult } from './report.ts';

/** A measured round: req/s, p99 and (optionally) the target's CPU per request. */
function round(requestsPerSec: number, p99Ms: number, cpuUsPerReq?: number): Measurement {
  const m: Measurement = { requestsPerSec, p50Ms: p99Ms / 2, p99Ms, meanMs: p99Ms / 2, requests: requestsPerSec * 10, errors: 0, non2xx: 0, seconds: 10 };
  if (cpuUsPerReq !== undefined) m.cpu = { targetCores: 1, targetUsPerReq: cpuUsPerReq, upstreamUsPerReq: 20, loadGeneratorCores: 1, otherCores: 0 };
  return m;
}

function result(target: TargetName, rounds: Measurement[]): TargetResult {
  return { target, label: LABELS[target], median: median(rounds), rounds, notes: [] };
}

const opts = (rounds: number): BenchOptions => ({ duration: 4, warmup: 1, connections: 50, pipelining: 1, rounds, only: [], json: false, profile: false });

const close = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} is not ${expected}`);

test('a paired ratio divides round i by round i: its median and min..max, the rounds in round order', () => {
  // The machine halves its speed in round 2: both targets of that round slow down together.
  const gateway = [round(1000, 2), round(500, 4), round(990, 2)];
  const peer = [round(1100, 2), round(520, 5), round(900, 1)];
  const r = pairedRatio(gateway, peer, (m) => m.requestsPerSec)!;
  close(r.median, 500 / 520);
  close(r.min, 1000 / 1100);
  close(r.max, 990 / 900);
  assert.deepEqual(r.rounds, [1000 / 1100, 500 / 520, 990 / 900]);
  const p99 = pairedRatio(gateway, peer, (m) => m.p99Ms)!;
  assert.deepEqual([p99.median, p99.min, p99.max], [1, 0.8, 2]);
});

test('a machine whose speed drifts 2x between rounds moves both sides of each ratio alike: no spread', () => {
  // Round 1 on a fast machine, rounds 2-3 on slower ones; the gateway is 0.9x of the peer in every round.
  const gateway = [round(1800, 1), round(900, 2), round(1350, 2)];
  const peer = [round(2000, 1), round(1000, 2), round(1500, 2)];
  const r = pairedRatio(gateway, peer, (m) => m.requestsPerSec)!;
  close(r.median, 0.9);
  close(r.min, 0.9);
  close(r.max, 0.9);
});

test('an even number of rounds: the median is the mean of the two middle ratios', () => {
  const r = pairedRatio([round(100, 1), round(300, 1), round(200, 1), round(400, 1)], [round(100, 1), round(100, 1), round(100, 1), round(100, 1)], (m) => m.requestsPerSec)!;
  assert.equal(r.median, 2.5);
  assert.deepEqual([r.min, r.max], [1, 4]);
});

test('one round: the ratio of the two measurements, as the median rounds gave', () => {
  const r = pairedRatio([round(900, 3)], [round(1000, 2)], (m) => m.requestsPerSec)!;
  assert.deepEqual(r, { median: 0.9, min: 0.9, max: 0.9, rounds: [0.9] });
  assert.equal(formatPaired(r, 2, 'x'), '0.90x');
});

test('a paired difference subtracts round by round; rounds without the figure are left out, none gives undefined', () => {
  const d = pairedDifference([round(1, 1, 60), round(1, 1), round(1, 1, 75)], [round(1, 1, 50), round(1, 1, 40), round(1, 1, 60)], (m) => m.cpu?.targetUsPerReq)!;
  assert.deepEqual(d, { median: 12.5, min: 10, max: 15, rounds: [10, 15] });
  assert.equal(pairedDifference([round(1, 1)], [round(1, 1)], (m) => m.cpu?.targetUsPerReq), undefined);
  assert.equal(formatPaired(undefined, 0), '-');
  assert.equal(formatPaired(d, 0), '13 (10..15)');
});

test('gateway vs peer and protected routes vs their base are paired by round, with CPU per request', () => {
  const gateway = result('gateway', [round(1000, 2, 100), round(500, 4, 110), round(980, 2, 95)]);
  const fastify = result('fastify', [round(1100, 2, 90), round(520, 5, 80), round(1000, 2, 85)]);
  const apikey = result('gateway-apikey', [round(960, 2, 105), round(490, 4, 118), round(900, 3, 99)]);
  const authz = result('gateway-authz', [round(950, 2, 108), round(470, 4, 120), round(870, 3, 100)]);
  const results = [gateway, apikey, authz, fastify];

  const [vsFastify] = ratios(results);
  assert.equal(vsFastify.peer, 'fastify');
  assert.deepEqual(vsFastify.throughput.rounds, [1000 / 1100, 500 / 520, 980 / 1000]);
  close(vsFastify.throughput.median, 500 / 520);
  assert.deepEqual([vsFastify.p99.median, vsFastify.p99.min], [1, 0.8]);
  assert.equal(vsFastify.met, false);

  const costs = authnCosts(results);
  assert.deepEqual(costs.map((c) => c.target), ['gateway-apikey', 'gateway-authz']);
  const [key, az] = costs;
  close(key.throughput.median, 960 / 1000);
  close(key.throughput.min, 900 / 980);
  assert.equal(key.met, true);
  assert.deepEqual(key.extraCpuUsPerReq?.rounds, [5, 8, 4]);
  assert.equal(key.extraCpuUsPerReq?.median, 5);
  // Authorization is measured against the API key route, round by round.
  assert.deepEqual(az.throughput.rounds, [950 / 960, 470 / 490, 870 / 900]);
  assert.deepEqual(az.extraCpuUsPerReq?.rounds, [3, 2, 1]);
});

test('the table prints each ratio with its spread over the rounds; the JSON carries the per-round ratios', () => {
  const results = [result('gateway', [round(1000, 2, 100), round(500, 4, 110)]), result('gateway-jwt', [round(900, 2, 120), round(450, 4, 125)]), result('fastify', [round(800, 2), round(400, 4)])];
  const table = renderTable(results, opts(2), []);
  assert.match(table, /@fastify\/http-proxy +1\.25x \(1\.25\.\.1\.25\) +1\.00x \(1\.00\.\.1\.00\) +target met/);
  assert.match(table, /pinpoint, JWT route +0\.90x \(0\.90\.\.0\.90\) +>= 0\.85x +1\.00x \(1\.00\.\.1\.00\) +18 \(15\.\.20\) +target met/);
  assert.match(table, /median, then min\.\.max over the 2 rounds/);
  const json = JSON.parse(renderJson(results, opts(2), [])) as { ratios: Array<{ throughput: { rounds: number[] } }>; authnCosts: Array<{ extraCpuUsPerReq: { rounds: number[] } }> };
  assert.deepEqual(json.ratios[0].throughput.rounds, [1.25, 1.25]);
  assert.deepEqual(json.authnCosts[0].extraCpuUsPerReq.rounds, [20, 15]);
});

test('the 90% confidence interval of the median: order statistics x(k)..x(n+1-k), from 8 rounds on', () => {
  // Binomial(n, 1/2) tail below 5%: the published ranks of the distribution-free median interval.
  assert.equal(medianCiRank(7), 0);
  assert.equal(medianCiRank(8), 2);
  assert.equal(medianCiRank(10), 2);
  assert.equal(medianCiRank(20), 6);
  assert.equal(medianCiRank(30), 11);
  const base = Array.from({ length: 8 }, () => round(100, 1));
  // Ratios 0.93..1.00 in a shuffled round order: the interval is the 2nd and 7th smallest.
  const r = pairedRatio([96, 93, 99, 94, 100, 97, 95, 98].map((v) => round(v, 1)), base, (m) => m.requestsPerSec)!;
  assert.deepEqual(r.ci, [0.94, 0.99]);
  assert.equal(formatPaired(r, 2, 'x'), '0.96x [0.94..0.99] (0.93..1.00)');
  const few = pairedRatio(base.slice(0, 7), base.slice(0, 7), (m) => m.requestsPerSec)!;
  assert.equal(few.ci, undefined);
  assert.equal(formatPaired(few, 2, 'x'), '1.00x (1.00..1.00)');
});
