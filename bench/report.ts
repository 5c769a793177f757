// Turns measurements into the table (or JSON): per target the median round, and the
// gateway's ratio to each peer against the target (>= 1.0x throughput, p99 no worse).
// Ratios are paired by round: round i of one target ÷ round i of the other (measured back to
// back), then the median of those per-round ratios. On a shared VM the machine's speed drifts
// between rounds (CPU steal), so two median rounds taken minutes apart would not be comparable.
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import type { Measurement } from './load.ts';
import type { BenchOptions, TargetName } from './options.ts';

export const LABELS: Record<TargetName, string> = {
  gateway: 'pinpoint gateway',
  'gateway-apikey': 'pinpoint, API key route',
  'gateway-jwt': 'pinpoint, JWT route',
  'gateway-authz': 'pinpoint, authz (vs API key route)',
  'gateway-ratelimit': 'pinpoint, rate-limited (memory)',
  'gateway-ratelimit-redis': 'pinpoint, rate-limited (Redis)',
  'gateway-edge': 'pinpoint, edge (IP, CORS, JSON Schema)',
  'gateway-basic': 'pinpoint, HTTP Basic route',
  'gateway-body-1k': 'pinpoint, 1 KiB body',
  'gateway-waf-1k': 'pinpoint, WAF PL1, 1 KiB (vs same body)',
  'gateway-body-16k': 'pinpoint, 16 KiB body',
  'gateway-waf-16k': 'pinpoint, WAF PL1, 16 KiB (vs same body)',
  'gateway-body-256k': 'pinpoint, 256 KiB body',
  'gateway-waf-256k': 'pinpoint, WAF PL1, 256 KiB (vs same body)',
  fastify: '@fastify/http-proxy',
  nginx: 'nginx (1 worker)',
  direct: 'upstream, direct',
};

/** Other programs using more than this many cores during a measurement make it unreliable. */
const DISTURBED_CORES = 0.25;

/** Peers the gateway is compared with; `direct` is only a reference (no proxy at all). */
const PEERS: TargetName[] = ['fastify', 'nginx'];

export interface TargetResult {
  target: TargetName;
  label: string;
  /** The round with the median throughput. */
  median: Measurement;
  rounds: Measurement[];
  notes: string[];
}

export interface Ratio {
  peer: TargetName;
  /** gateway req/s ÷ peer req/s, per round: a median of 1.0 or more meets the target. */
  throughput: Paired;
  /** gateway p99 ÷ peer p99, per round: a median of 1.0 or less meets the target. */
  p99: Paired;
  met: boolean;
}

/** A comparison of two targets made round by round, and the median and spread of those per-round values. */
export interface Paired {
  median: number;
  min: number;
  max: number;
  /**
   * A 90% confidence interval of the median (distribution-free: two order statistics of the
   * rounds), from 8 rounds on; with fewer it would be min..max. On a noisy machine it says
   * whether a few percent between two targets is a difference or the machine.
   */
  ci?: [number, number];
  /** One value per round, in round order (a round where either figure is missing is left out). */
  rounds: number[];
}

/**
 * `compare(a[i], b[i])` for each round i both were measured in (round i of each target ran back
 * to back), summarised; undefined when no round gives a value (say, no CPU figures off Linux).
 */
export function paired<T>(a: readonly T[], b: readonly T[], compare: (x: T, y: T) => number | undefined): Paired | undefined {
  const rounds: number[] = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const v = compare(a[i], b[i]);
    if (v !== undefined) rounds.push(v);
  }
  if (rounds.length === 0) return undefined;
  const sorted = [...rounds].sort((x, y) => x - y);
  const p: Paired = { median: medianOf(sorted), min: sorted[0], max: sorted[sorted.length - 1], rounds };
  const k = medianCiRank(sorted.length);
  if (k > 0) p.ci = [sorted[k - 1], sorted[sorted.length - k]];
  return p;
}

/**
 * The rank k (1-based) such that [x(k), x(n+1-k)] of n sorted values holds the median with at
 * least 90% confidence, whatever their distribution: the largest k with P(Binomial(n, 1/2) < k)
 * <= 5%. 0 when n is too small for an interval narrower than min..max (n < 8).
 */
export function medianCiRank(n: number): number {
  let pmf = 0.5 ** n;
  let below = 0;
  let k = 0;
  // below = P(X <= i - 1) when testing rank i.
  for (let i = 1; i <= n; i++) {
    below += pmf;
    pmf = (pmf * (n - i + 1)) / i;
    if (below > 0.05) break;
    k = i;
  }
  return k > 1 ? k : 0;
}

/** Per round: figure(a[i]) ÷ figure(b[i]). */
export function pairedRatio<T>(a: readonly T[], b: readonly T[], figure: (m: T) => number | undefined): Paired | undefined {
  return paired(a, b, (x, y) => both(figure(x), figure(y), (fx, fy) => fx / fy));
}

/** Per round: figure(a[i]) − figure(b[i]) (an extra cost, such as CPU µs per request). */
export function pairedDifference<T>(a: readonly T[], b: readonly T[], figure: (m: T) => number | undefined): Paired | undefined {
  return paired(a, b, (x, y) => both(figure(x), figure(y), (fx, fy) => fx - fy));
}

function both(x: number | undefined, y: number | undefined, f: (x: number, y: number) => number): number | undefined {
  return x === undefined || y === undefined ? undefined : f(x, y);
}

/** The median of sorted values (the mean of the two middle ones for an even count). */
function medianOf(sorted: number[]): number {
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * `1.02x`, with the per-round spread when there was more than one round: `1.02x (0.97..1.05)`,
 * and from 8 rounds on the 90% confidence interval of the median first: `1.02x [0.99..1.03] (0.97..1.05)`.
 */
export function formatPaired(p: Paired | undefined, digits: number, unit = ''): string {
  if (!p) return '-';
  const median = `${p.median.toFixed(digits)}${unit}`;
  if (p.rounds.length <= 1) return median;
  const ci = p.ci ? ` [${p.ci[0].toFixed(digits)}..${p.ci[1].toFixed(digits)}]` : '';
  return `${median}${ci} (${p.min.toFixed(digits)}..${p.max.toFixed(digits)})`;
}

/** The line under a ratio table's title that says how its ratios were made. */
export function pairingNote(rounds: number): string {
  return rounds > 1
    ? `(ratios per round: round i of one ÷ round i of the other, measured back to back; median, ${rounds >= 8 ? '[the 90% confidence interval of the median], ' : ''}then min..max over the ${rounds} rounds)`
    : '(one round: more rounds, e.g. --rounds 8, give per-round ratios and their spread)';
}

/**
 * The protected routes against the plain gateway route (issue 3): the throughput they may
 * lose. An API key route keeps at least 95% of it, a JWT route (cached verification) 85%.
 */
const AUTHN_FLOORS: Partial<Record<TargetName, number>> = { 'gateway-apikey': 0.95, 'gateway-jwt': 0.85, 'gateway-authz': 0.95, 'gateway-ratelimit': 0.97, 'gateway-ratelimit-redis': 0.75, 'gateway-waf-1k': 0.75, 'gateway-waf-16k': 0, 'gateway-waf-256k': 0, 'gateway-basic': 0 };

export interface AuthnCost {
  target: TargetName;
  /** case req/s ÷ plain gateway req/s, per round: a median of at least `floor` meets the target. */
  throughput: Paired;
  floor: number;
  /** case p99 ÷ plain gateway p99, per round (reported, no target). */
  p99: Paired;
  /** Extra CPU time per request in the gateway process, µs, per round (Linux only). */
  extraCpuUsPerReq?: Paired;
  met: boolean;
}

/** Cases measured against another case than the plain route: authorization is added to an API key route (issue 4). */
const BASELINES: Partial<Record<TargetName, TargetName>> = {
  'gateway-authz': 'gateway-apikey',
  'gateway-waf-1k': 'gateway-body-1k',
  'gateway-waf-16k': 'gateway-body-16k',
  'gateway-waf-256k': 'gateway-body-256k',
};

const reqPerSec = (m: Measurement) => m.requestsPerSec;
const p99 = (m: Measurement) => m.p99Ms;
const cpuUsPerReq = (m: Measurement) => m.cpu?.targetUsPerReq;

export function authnCosts(results: TargetResult[]): AuthnCost[] {
  return results.flatMap((r) => {
    const floor = AUTHN_FLOORS[r.target];
    if (floor === undefined) return [];
    const plain = results.find((b) => b.target === (BASELINES[r.target] ?? 'gateway'));
    const throughput = plain && pairedRatio(r.rounds, plain.rounds, reqPerSec);
    if (!plain || !throughput) return [];
    const cost: AuthnCost = { target: r.target, throughput, floor, p99: pairedRatio(r.rounds, plain.rounds, p99)!, met: throughput.median >= floor };
    const cpu = pairedDifference(r.rounds, plain.rounds, cpuUsPerReq);
    if (cpu) cost.extraCpuUsPerReq = cpu;
    return [cost];
  });
}

/** The round with the median throughput (the lower middle one for an even count: a real round). */
export function median<T extends { requestsPerSec: number }>(rounds: T[]): T {
  const sorted = [...rounds].sort((a, b) => a.requestsPerSec - b.requestsPerSec);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

export function ratios(results: TargetResult[]): Ratio[] {
  const gateway = results.find((r) => r.target === 'gateway');
  if (!gateway) return [];
  return results
    .filter((r) => PEERS.includes(r.target))
    .flatMap((peer) => {
      const throughput = pairedRatio(gateway.rounds, peer.rounds, reqPerSec);
      const latency = pairedRatio(gateway.rounds, peer.rounds, p99);
      if (!throughput || !latency) return [];
      return [{ peer: peer.target, throughput, p99: latency, met: throughput.median >= 1 && latency.median <= 1 }];
    });
}

export function machine() {
  const cpuinfo = safeRead('/proc/cpuinfo');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? cpus()[0]?.model ?? 'unknown';
  return { date: new Date().toISOString(), cpus: cpus().length, cpuModel: model, node: process.version, platform: `${process.platform} ${process.arch}` };
}

export function renderTable(results: TargetResult[], opts: BenchOptions, skipped: string[]): string {
  const m = machine();
  const lines: string[] = [];
  lines.push(`${m.date}  ${m.cpus} x ${m.cpuModel}  node ${m.node}`);
  lines.push(
    `load: POST /orders, ~200-byte JSON, ${opts.connections} keep-alive connections, pipelining ${opts.pipelining}, ` +
      `${opts.warmup} s warm-up + ${opts.duration} s measured per target, ${opts.rounds} round(s)${opts.rounds > 1 ? ' (median round shown)' : ''}`,
  );
  lines.push('');
  const head = ['target', 'req/s', 'p50 ms', 'p99 ms', 'mean ms', 'requests', 'errors', 'non-2xx', 'cpu cores', 'cpu us/req', 'main thread us/req', 'upstream us/req', 'other load'];
  const rows = results.map((r) => {
    const m = r.median;
    return [
      r.label,
      m.requestsPerSec.toFixed(0),
      m.p50Ms.toFixed(2),
      m.p99Ms.toFixed(2),
      m.meanMs.toFixed(2),
      String(m.requests),
      String(m.errors),
      String(m.non2xx),
      m.cpu ? m.cpu.targetCores.toFixed(2) : '-',
      m.cpu ? m.cpu.targetUsPerReq.toFixed(0) : '-',
      m.cpu?.mainThreadUsPerReq !== undefined ? m.cpu.mainThreadUsPerReq.toFixed(0) : '-',
      m.cpu && r.target !== 'direct' ? m.cpu.upstreamUsPerReq.toFixed(0) : '-',
      m.cpu?.otherCores !== undefined ? m.cpu.otherCores.toFixed(2) : '-',
    ];
  });
  lines.push(...grid([head, ...rows]));
  lines.push(
    '(cpu: cores busy in the target process (all threads) and its CPU time per request, then the part of its main thread',
    ' (the event loop; the rest is worker threads such as the call log writer, and GC threads). The load generator and the',
    ' upstream share the same cores. other load: cores used by other programs meanwhile; well above 0 = disturbed figures)',
  );
  const rs = ratios(results);
  if (rs.length) {
    lines.push('', 'gateway vs peer', pairingNote(opts.rounds));
    const head = ['peer', 'throughput (>= 1.00x meets)', 'p99 (<= 1.00x meets)', ''];
    const rows = rs.map((r) => [LABELS[r.peer], formatPaired(r.throughput, 2, 'x'), formatPaired(r.p99, 2, 'x'), r.met ? 'target met' : 'TARGET NOT MET']);
    lines.push(...grid([head, ...rows]).map((l) => `  ${l}`.trimEnd()));
  }
  const costs = authnCosts(results);
  if (costs.length) {
    lines.push('', 'protected route vs plain gateway route', pairingNote(opts.rounds));
    const head = ['route', 'throughput', 'target', 'p99', 'extra cpu us/req', ''];
    const rows = costs.map((c) => [
      LABELS[c.target],
      formatPaired(c.throughput, 2, 'x'),
      // A floor of 0: reported, no target set (larger WAF bodies, Basic).
      c.floor > 0 ? `>= ${c.floor.toFixed(2)}x` : 'no target',
      formatPaired(c.p99, 2, 'x'),
      formatPaired(c.extraCpuUsPerReq, 0),
      c.floor === 0 ? '' : c.met ? 'target met' : 'TARGET NOT MET',
    ]);
    lines.push(...grid([head, ...rows]).map((l) => `  ${l}`.trimEnd()));
  } else if (results.some((r) => AUTHN_FLOORS[r.target] !== undefined)) {
    lines.push('', 'protected routes are compared with the plain gateway route: add gateway to --only to see their ratios');
  }
  const notes = results.flatMap((r) => r.notes.map((n) => `${r.label}: ${n}`));
  for (const r of results) {
    const busiest = Math.max(...r.rounds.map((m) => m.cpu?.otherCores ?? 0));
    if (busiest > DISTURBED_CORES) notes.push(`${r.label}: other programs used up to ${busiest.toFixed(2)} cores while it was measured; its figures are disturbed, run again on a quiet machine`);
  }
  if (notes.length || skipped.length) lines.push('');
  for (const n of [...skipped, ...notes]) lines.push(`note: ${n}`);
  return lines.join('\n');
}

export function renderJson(results: TargetResult[], opts: BenchOptions, skipped: string[]): string {
  return JSON.stringify({ machine: machine(), options: opts, results, ratios: ratios(results), authnCosts: authnCosts(results), skipped }, null, 2);
}

function grid(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '));
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
