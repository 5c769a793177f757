// The AI bench's tables (or JSON): time to first token through the gateway vs the fake
// directly, and non-streamed chat throughput of the AI route vs the plain proxy route.
import { formatPaired, machine, pairedDifference, pairedRatio, pairingNote, type Paired } from '../report.ts';
import type { ChatLoad } from './chat-load.ts';
import type { CpuFigures } from './cpu.ts';
import type { AiBenchOptions, AiCase } from './options.ts';
import type { Summary } from './stats.ts';
import { CHAT_PATH, chatBody } from './workload.ts';

/** The targets: the gateway adds under 1 ms to the p50 TTFT; the AI route keeps 0.8x the plain route's throughput. */
export const ADDED_TTFT_P50_MS = 1;
export const AI_VS_PROXY_FLOOR = 0.8;
/** Other programs using more than this many cores during a measurement make it unreliable. */
const DISTURBED_CORES = 0.25;

/** The TTFT controls: one more hop without the AI work. */
export type TtftControl = 'proxy-route' | 'tcp-relay' | 'node-proxy' | 'fastify';

export interface TtftPhase {
  phase: string;
  concurrency: number;
  direct: { ttft: Summary; total: Summary };
  gateway: { ttft: Summary; total: Summary };
  /** The same streams through one more hop that does no AI work (plain proxy route, TCP relay, bare node:http proxy, fastify). */
  controls?: Array<{ id: TtftControl; label: string; ttft: Summary; total: Summary }>;
  /** How many targets' streams the fake answered in the phase (its CPU is shared among them). */
  fakeShare?: number;
  /** The gateway's call log: its request's arrival to the first content written. */
  gatewayOwn: Summary;
  cpu?: CpuFigures;
}

export interface ThroughputCase {
  name: AiCase;
  label: string;
  median: ChatLoad & { cpu?: CpuFigures };
  rounds: Array<ChatLoad & { cpu?: CpuFigures }>;
  notes: string[];
}

export interface AiBenchResult {
  ttft: TtftPhase[];
  throughput: ThroughputCase[];
  notes: string[];
}

export const LABELS: Record<AiCase, string> = {
  'ai-ttft': 'pinpoint, AI route (streamed)',
  'ai-chat': 'pinpoint, AI route (public)',
  'ai-proxy': 'pinpoint, plain proxy route',
  'ai-chat-apikey': 'pinpoint, AI route, API key + budget',
};

const ms = (v: number) => v.toFixed(2);
const added = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(2)}`;

export function addedP50(p: TtftPhase): number {
  return p.gateway.ttft.p50 - p.direct.ttft.p50;
}

export function renderAiTables(r: AiBenchResult, o: AiBenchOptions): string {
  const m = machine();
  const lines = [`${m.date}  ${m.cpus} x ${m.cpuModel}  node ${m.node}`];
  if (r.ttft.length) lines.push('', ...ttftTable(r.ttft, o));
  if (r.throughput.length) lines.push('', ...throughputTable(r.throughput, o));
  const notes = [...r.notes, ...r.throughput.flatMap((c) => c.notes.map((n) => `${c.label}: ${n}`))];
  const disturbed = (what: string, cpu: Array<CpuFigures | undefined>) => {
    const busiest = Math.max(0, ...cpu.map((c) => c?.otherCores ?? 0));
    if (busiest > DISTURBED_CORES) notes.push(`${what}: other programs used up to ${busiest.toFixed(2)} cores meanwhile; the figures are disturbed, run again on a quiet machine`);
  };
  for (const p of r.ttft) disturbed(`time to first token, ${p.phase}`, [p.cpu]);
  for (const c of r.throughput) disturbed(c.label, c.rounds.map((x) => x.cpu));
  if (notes.length) lines.push('');
  for (const n of notes) lines.push(`note: ${n}`);
  return lines.join('\n');
}

function ttftTable(phases: TtftPhase[], o: AiBenchOptions): string[] {
  const lines = [
    `time to first token (ms, request sent -> first content chunk parsed by the client): ${o.calls} streams per target and phase,`,
    `interleaved; the fake streams ${o.chunks} chunks, ${o.firstTokenMs} ms before the first and ${o.chunkMs} ms between chunks`,
    '',
  ];
  const head = ['phase', 'target', 'p50', 'p95', 'p99', 'mean', 'whole stream p50', 'cpu us/stream', 'other load'];
  const rows: string[][] = [];
  for (const p of phases) {
    // The fake's CPU is over both targets' streams (it answers both); the gateway's over its own.
    const fakeCpu = p.cpu ? (p.cpu.fakeUsPerReq / (p.fakeShare ?? 2)).toFixed(0) : '-';
    const cpu = p.cpu ? p.cpu.gatewayUsPerReq.toFixed(0) : '-';
    const other = p.cpu?.otherCores !== undefined ? p.cpu.otherCores.toFixed(2) : '-';
    const row = (target: string, s: { ttft: Summary; total: Summary }, c: string) => [p.phase, target, ms(s.ttft.p50), ms(s.ttft.p95), ms(s.ttft.p99), ms(s.ttft.mean), ms(s.total.p50), c, other];
    rows.push(row('fake provider, direct', p.direct, `${fakeCpu} (fake)`));
    rows.push(row('through the gateway', p.gateway, `${cpu} (gateway)`));
    const d = (k: keyof Summary) => added(p.gateway.ttft[k] - p.direct.ttft[k]);
    rows.push(['', 'added by the gateway', d('p50'), d('p95'), d('p99'), d('mean'), added(p.gateway.total.p50 - p.direct.total.p50), '', '']);
    const own = p.gatewayOwn;
    rows.push(['', `gateway's own (${own.n} logged)`, ms(own.p50), ms(own.p95), ms(own.p99), ms(own.mean), '', '', '']);
    for (const c of p.controls ?? []) {
      const a = (k: keyof Summary) => added(c.ttft[k] - p.direct.ttft[k]);
      rows.push(['', `control, added by ${c.label}`, a('p50'), a('p95'), a('p99'), a('mean'), added(c.total.p50 - p.direct.total.p50), '', '']);
    }
  }
  lines.push(...grid([head, ...rows], 2));
  lines.push("(gateway's own: its call log's ttftMs, from the request's arrival to the first content written; it includes the fake's", ' wait and the call to it, as the direct figure does, but not the hop from the client to the gateway and back)', '');
  if (phases.some((p) => p.controls?.length)) {
    lines.push('(controls: the same streams through one more hop that does no AI work; the AI route minus the plain proxy route is', ' what the AI work adds, the plain route minus the TCP relay what HTTP proxying adds on this machine)', '');
  }
  for (const p of phases) {
    const a = addedP50(p);
    lines.push(`  added p50, ${p.phase}: ${added(a)} ms (target < ${ADDED_TTFT_P50_MS} ms)  ${a < ADDED_TTFT_P50_MS ? 'target met' : 'TARGET NOT MET'}`);
    const plain = p.controls?.find((c) => c.id === 'proxy-route');
    if (plain) lines.push(`    of which the AI work (over the plain proxy route's hop): ${added(p.gateway.ttft.p50 - plain.ttft.p50)} ms`);
  }
  return lines;
}

/** Each figure is paired by round (round i of the case ÷ round i of its base, measured back to back): median and spread. */
export interface ThroughputRatio {
  name: AiCase;
  base: AiCase;
  throughput: Paired;
  p99: Paired;
  extraCpuUsPerReq?: Paired;
  /** base CPU per request ÷ case CPU per request: the throughput ratio a CPU-bound gateway would show, steadier on a busy machine. */
  cpuRatio?: Paired;
  /** undefined: reported, no target. */
  floor?: number;
  met?: boolean;
}

type Run = ThroughputCase['rounds'][number];
const gatewayUs = (r: Run) => r.cpu?.gatewayUsPerReq;

/** The AI route against the plain proxy route (target), the API key route against the public AI route (reported). */
export function throughputRatios(cases: ThroughputCase[]): ThroughputRatio[] {
  const find = (n: AiCase) => cases.find((c) => c.name === n);
  const pairs: Array<[AiCase, AiCase, number | undefined]> = [
    ['ai-chat', 'ai-proxy', AI_VS_PROXY_FLOOR],
    ['ai-chat-apikey', 'ai-chat', undefined],
  ];
  return pairs.flatMap(([name, base, floor]) => {
    const a = find(name)?.rounds;
    const b = find(base)?.rounds;
    if (!a || !b) return [];
    const throughput = pairedRatio(a, b, (r) => r.requestsPerSec);
    const p99 = pairedRatio(a, b, (r) => r.latency.p99);
    if (!throughput || !p99) return [];
    const ratio: ThroughputRatio = { name, base, throughput, p99, floor, met: floor === undefined ? undefined : throughput.median >= floor };
    const extra = pairedDifference(a, b, gatewayUs);
    const cpuRatio = pairedRatio(b, a, gatewayUs);
    if (extra) ratio.extraCpuUsPerReq = extra;
    if (cpuRatio) ratio.cpuRatio = cpuRatio;
    return [ratio];
  });
}

function throughputTable(cases: ThroughputCase[], o: AiBenchOptions): string[] {
  const lines = [
    `non-streamed chat throughput: POST ${CHAT_PATH} (${Buffer.byteLength(chatBody(false))}-byte JSON), ${o.connections} keep-alive connections, ` +
      `${o.warmup} s warm-up + ${o.duration} s measured per case (then the calls in flight are answered), ${o.rounds} round(s)${o.rounds > 1 ? ' (median round shown)' : ''}; the fake answers at once`,
    '',
  ];
  const head = ['case', 'req/s', 'p50 ms', 'p99 ms', 'mean ms', 'requests', 'seconds', 'errors', 'non-2xx', 'gw cores', 'gw cpu us/req', 'main thread us/req', 'fake us/req', 'other load'];
  const rows = cases.map((c) => {
    const m = c.median;
    const cpu = m.cpu;
    return [
      c.label,
      m.requestsPerSec.toFixed(0),
      ms(m.latency.p50),
      ms(m.latency.p99),
      ms(m.latency.mean),
      String(m.requests),
      m.seconds.toFixed(1),
      String(m.errors),
      String(m.non2xx),
      cpu ? cpu.gatewayCores.toFixed(2) : '-',
      cpu ? cpu.gatewayUsPerReq.toFixed(0) : '-',
      cpu?.mainThreadUsPerReq !== undefined ? cpu.mainThreadUsPerReq.toFixed(0) : '-',
      cpu ? cpu.fakeUsPerReq.toFixed(0) : '-',
      cpu?.otherCores !== undefined ? cpu.otherCores.toFixed(2) : '-',
    ];
  });
  lines.push(...grid([head, ...rows], 1));
  const ratios = throughputRatios(cases);
  if (ratios.length) {
    lines.push('', 'case vs base', pairingNote(o.rounds));
    const head = ['case', 'throughput', 'target', 'p99', 'extra gw cpu us/req', 'cpu ratio', ''];
    const rows = ratios.map((r) => [
      `${LABELS[r.name]} vs ${r.base}`,
      formatPaired(r.throughput, 2, 'x'),
      r.floor === undefined ? 'no target' : `>= ${r.floor.toFixed(2)}x`,
      formatPaired(r.p99, 2, 'x'),
      formatPaired(r.extraCpuUsPerReq, 0),
      formatPaired(r.cpuRatio, 2, 'x'),
      r.met === undefined ? '' : r.met ? 'target met' : 'TARGET NOT MET',
    ]);
    lines.push(...grid([head, ...rows], 1).map((l) => `  ${l}`.trimEnd()));
    lines.push("(cpu ratio: the base's gateway CPU per request / the case's: the throughput ratio a CPU-bound gateway would show; steadier than req/s on a busy machine)");
  }
  return lines;
}

export function renderAiJson(r: AiBenchResult, o: AiBenchOptions): string {
  return JSON.stringify({ machine: machine(), options: o, ...r, addedTtftP50Ms: r.ttft.map((p) => ({ phase: p.phase, ms: addedP50(p) })), throughputRatios: throughputRatios(r.throughput) }, null, 2);
}

/** Aligned columns: the first `textColumns` to the left, the figures to the right. */
function grid(rows: string[][], textColumns: number): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((cell, i) => (i < textColumns ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '));
}
