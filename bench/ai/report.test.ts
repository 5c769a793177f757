// The AI bench's throughput ratios are paired by round: round i of a case against round i of its
// base (measured back to back), then the median and spread. Run: npx tsx --test bench/ai/report.test.ts
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { median } from '../report.ts';
import type { AiBenchOptions, AiCase } from './options.ts';
import { LABELS, renderAiJson, renderAiTables, throughputRatios, type ThroughputCase } from './report.ts';

type Run = ThroughputCase['rounds'][number];

function run(requestsPerSec: number, p99: number, gatewayUsPerReq?: number): Run {
  const r: Run = { requestsPerSec, requests: requestsPerSec * 4, latency: { n: requestsPerSec * 4, p50: p99 / 2, p95: p99, p99, mean: p99 / 2 }, errors: 0, non2xx: 0, seconds: 4, cut: false };
  if (gatewayUsPerReq !== undefined) r.cpu = { gatewayCores: 1, gatewayUsPerReq, fakeUsPerReq: 30, otherCores: 0 };
  return r;
}

function aiCase(name: AiCase, rounds: Run[]): ThroughputCase {
  return { name, label: LABELS[name], median: median(rounds), rounds, notes: [] };
}

const options = (rounds: number): AiBenchOptions => ({ only: [], calls: 300, concurrency: 4, chunks: 50, firstTokenMs: 5, chunkMs: 0, duration: 4, warmup: 1, connections: 50, rounds, json: false, profile: false });

test('the AI route vs the plain route, round by round: throughput, p99, extra CPU and CPU ratio', () => {
  // Round 2 ran on a machine half as fast: both cases of that round slowed down together.
  const proxy = aiCase('ai-proxy', [run(2000, 10, 200), run(1000, 20, 400), run(2100, 10, 190)]);
  const chat = aiCase('ai-chat', [run(1600, 12, 250), run(820, 22, 480), run(1650, 14, 240)]);
  const [r] = throughputRatios([proxy, chat]);
  assert.equal(r.name, 'ai-chat');
  assert.equal(r.base, 'ai-proxy');
  assert.deepEqual(r.throughput.rounds, [0.8, 0.82, 1650 / 2100]);
  assert.equal(r.throughput.median, 0.8);
  assert.equal(r.throughput.min, 1650 / 2100);
  assert.equal(r.throughput.max, 0.82);
  assert.equal(r.met, true);
  assert.deepEqual(r.p99.rounds, [1.2, 1.1, 1.4]);
  assert.deepEqual(r.extraCpuUsPerReq?.rounds, [50, 80, 50]);
  assert.equal(r.extraCpuUsPerReq?.median, 50);
  // The base's CPU per request over the case's.
  assert.deepEqual(r.cpuRatio?.rounds, [0.8, 400 / 480, 190 / 240]);
});

test('one round: the ratios of the two measurements; without CPU figures, no CPU ratios', () => {
  const [r] = throughputRatios([aiCase('ai-proxy', [run(2000, 10)]), aiCase('ai-chat', [run(1500, 12)])]);
  assert.deepEqual(r.throughput, { median: 0.75, min: 0.75, max: 0.75, rounds: [0.75] });
  assert.equal(r.met, false);
  assert.equal(r.extraCpuUsPerReq, undefined);
  assert.equal(r.cpuRatio, undefined);
});

test('the API key route is compared with the public AI route (no target); a missing base gives no ratio', () => {
  const chat = aiCase('ai-chat', [run(1000, 10, 300), run(500, 20, 310)]);
  const apikey = aiCase('ai-chat-apikey', [run(950, 10, 320), run(480, 20, 330)]);
  const [r] = throughputRatios([chat, apikey]);
  assert.equal(r.base, 'ai-chat');
  assert.equal(r.floor, undefined);
  assert.equal(r.met, undefined);
  assert.equal(r.throughput.median, (0.95 + 0.96) / 2);
  assert.deepEqual(throughputRatios([apikey]), []);
});

test('the table prints each ratio with its spread; the JSON carries the per-round ratios', () => {
  const result = { ttft: [], throughput: [aiCase('ai-proxy', [run(2000, 10, 200), run(1000, 20, 400)]), aiCase('ai-chat', [run(1600, 12, 250), run(900, 22, 500)])], notes: [] };
  const table = renderAiTables(result, options(2));
  assert.match(table, /AI route \(public\) vs ai-proxy +0\.85x \(0\.80\.\.0\.90\) +>= 0\.80x +1\.15x \(1\.10\.\.1\.20\) +75 \(50\.\.100\) +0\.80x \(0\.80\.\.0\.80\) +target met/);
  const json = JSON.parse(renderAiJson(result, options(2))) as { throughputRatios: Array<{ throughput: { rounds: number[] } }> };
  assert.deepEqual(json.throughputRatios[0].throughput.rounds, [0.8, 0.9]);
});

test('time to first token: each control row is its added p50 over direct, and the AI work is the AI route over the plain proxy route', () => {
  const s = (p50: number) => ({ n: 300, p50, p95: p50 + 1, p99: p50 + 2, mean: p50 });
  const phase = {
    phase: 'sequential',
    concurrency: 1,
    direct: { ttft: s(6), total: s(6.5) },
    gateway: { ttft: s(8.5), total: s(9) },
    controls: [
      { id: 'proxy-route' as const, label: 'a plain proxy route of the gateway', ttft: s(7.9), total: s(8.4) },
      { id: 'tcp-relay' as const, label: 'a TCP relay (no HTTP)', ttft: s(6.5), total: s(7) },
    ],
    fakeShare: 4,
    gatewayOwn: s(7.2),
  };
  const text = renderAiTables({ ttft: [phase], throughput: [], notes: [] }, options(1));
  assert.match(text, /control, added by a plain proxy route of the gateway\s+\+1\.90/);
  assert.match(text, /control, added by a TCP relay \(no HTTP\)\s+\+0\.50/);
  assert.match(text, /added p50, sequential: \+2\.50 ms \(target < 1 ms\)  TARGET NOT MET/);
  assert.match(text, /of which the AI work \(over the plain proxy route's hop\): \+0\.60 ms/);
});
