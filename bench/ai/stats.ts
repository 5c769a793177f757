// Percentiles of a set of timings (milliseconds), nearest-rank, computed from every sample.

export interface Summary {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
}

export function summarise(values: number[]): Summary {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  const rank = (p: number) => (n === 0 ? NaN : sorted[Math.min(n - 1, Math.ceil((p / 100) * n) - 1)]);
  let sum = 0;
  for (const v of sorted) sum += v;
  return { n, p50: rank(50), p95: rank(95), p99: rank(99), mean: n ? sum / n : NaN };
}
