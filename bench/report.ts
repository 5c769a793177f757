// Turns measurements into the table (or JSON): per target the median round, and the
// gateway's ratio to each peer against the target (>= 1.0x throughput, p99 no worse).
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
  /** gateway req/s ÷ peer req/s: 1.0 or more meets the target. */
  throughput: number;
  /** gateway p99 ÷ peer p99: 1.0 or less meets the target. */
  p99: number;
  met: boolean;
}

/**
 * The protected routes against the plain gateway route (issue 3): the throughput they may
 * lose. An API key route keeps at least 95% of it, a JWT route (cached verification) 85%.
 */
const AUTHN_FLOORS: Partial<Record<TargetName, number>> = { 'gateway-apikey': 0.95, 'gateway-jwt': 0.85, 'gateway-authz': 0.95, 'gateway-ratelimit': 0.97, 'gateway-ratelimit-redis': 0.75, 'gateway-waf-1k': 0.75, 'gateway-waf-16k': 0, 'gateway-waf-256k': 0, 'gateway-basic': 0 };

export interface AuthnCost {
  target: TargetName;
  /** case req/s ÷ plain gateway req/s: at least `floor` meets the target. */
  throughput: number;
  floor: number;
  /** case p99 ÷ plain gateway p99 (reported, no target). */
  p99: number;
  /** Extra CPU time per request in the gateway process, µs (Linux only). */
  extraCpuUsPerReq?: number;
  met: boolean;
}

/** Cases measured against another case than the plain route: authorization is added to an API key route (issue 4). */
const BASELINES: Partial<Record<TargetName, TargetName>> = {
  'gateway-authz': 'gateway-apikey',
  'gateway-waf-1k': 'gateway-body-1k',
  'gateway-waf-16k': 'gateway-body-16k',
  'gateway-waf-256k': 'gateway-body-256k',
};

export function authnCosts(results: TargetResult[]): AuthnCost[] {
  return results.flatMap((r) => {
    const floor = AUTHN_FLOORS[r.target];
    if (floor === undefined) return [];
    const plain = results.find((b) => b.target === (BASELINES[r.target] ?? 'gateway'));
    if (!plain) return [];
    const throughput = r.median.requestsPerSec / plain.median.requestsPerSec;
    const cpu = r.median.cpu && plain.median.cpu ? r.median.cpu.targetUsPerReq - plain.median.cpu.targetUsPerReq : undefined;
    return [{ target: r.target, throughput, floor, p99: r.median.p99Ms / plain.median.p99Ms, extraCpuUsPerReq: cpu, met: throughput >= floor }];
  });
}

export function median(rounds: Measurement[]): Measurement {
  const sorted = [...rounds].sort((a, b) => a.requestsPerSec - b.requestsPerSec);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

export function ratios(results: TargetResult[]): Ratio[] {
  const gateway = results.find((r) => r.target === 'gateway');
  if (!gateway) return [];
  return results
    .filter((r) => PEERS.includes(r.target))
    .map((peer) => {
      const throughput = gateway.median.requestsPerSec / peer.median.requestsPerSec;
      const p99 = gateway.median.p99Ms / peer.median.p99Ms;
      return { peer: peer.target, throughput, p99, met: throughput >= 1 && p99 <= 1 };
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
    lines.push('');
    lines.push('gateway vs peer   throughput ratio (>= 1.00 meets)   p99 ratio (<= 1.00 meets)');
    for (const r of rs) {
      lines.push(`  ${LABELS[r.peer].padEnd(22)} ${r.throughput.toFixed(2).padStart(10)}x ${r.p99.toFixed(2).padStart(26)}x    ${r.met ? 'target met' : 'TARGET NOT MET'}`);
    }
  }
  const costs = authnCosts(results);
  if (costs.length) {
    lines.push('');
    lines.push('protected route vs plain gateway route   throughput ratio (target)   p99 ratio   extra cpu us/req');
    for (const c of costs) {
      // A floor of 0: reported, no target set (larger WAF bodies, Basic).
      const target = c.floor > 0 ? `>= ${c.floor.toFixed(2)}` : 'no target';
      const cpu = c.extraCpuUsPerReq === undefined ? '-' : c.extraCpuUsPerReq.toFixed(0);
      lines.push(
        `  ${LABELS[c.target].padEnd(38)} ${c.throughput.toFixed(2).padStart(6)}x (${target})   ${c.p99.toFixed(2).padStart(8)}x   ${cpu.padStart(16)}    ${c.floor === 0 ? '' : c.met ? 'target met' : 'TARGET NOT MET'}`,
      );
    }
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
