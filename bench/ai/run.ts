// npx tsx bench/ai/run.ts: what the AI gateway (issue 9) costs, on this machine.
//  1. Time to first token of a streamed chat call through a public serve: ai route vs
//     straight to the fake provider (target: under 1 ms added at p50).
//  2. Non-streamed chat throughput of the AI route vs an ordinary proxy route to the same fake
//     (target: at least 0.8x), and optionally the AI route with an API key and a token budget.
// The fakes and each gateway run in child processes (bench/children.ts). See bench/README.md.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startNodeServer, stopAll, type Child } from '../children.ts';
import { createBenchKey } from '../identity.ts';
import { callLogNote, onInterrupt } from '../lifecycle.ts';
import { summariseDir } from '../profile-top.ts';
import { median } from '../report.ts';
import { preflightChat, runChatLoad, type ChatLoad } from './chat-load.ts';
import { CALL_LOG_FILE, PROVIDER_KEY, PROVIDER_KEY_ENV, STORE_FILE, writeAiGatewayConfig, type RouteKind } from './config.ts';
import { withCpu, type CpuFigures } from './cpu.ts';
import { gatewayView } from './gateway-view.ts';
import { parseAiOptions, USAGE, type AiBenchOptions, type AiCase } from './options.ts';
import { LABELS, renderAiJson, renderAiTables, type AiBenchResult, type ThroughputCase, type TtftControl, type TtftPhase } from './report.ts';
import { summarise } from './stats.ts';
import { runPhase, streamTarget, timeStream, type StreamTarget, type StreamTiming } from './ttft.ts';
import { answerText } from './workload.ts';

const log = (line: string) => process.stderr.write(line + '\n');
const FAKE = '../ai/servers/openai-fake.ts';
/** Streams per target before the TTFT phases are measured (JIT, connections). */
const TTFT_WARMUP_CALLS = 200;
/** Chat throughput: the first warm-up of a case lasts until this many calls were answered, or this many seconds passed. */
const WARMUP_MIN_CALLS = 5000;
const WARMUP_MAX_S = 30;

interface GatewayCase {
  name: AiCase;
  child: Child;
  config: string;
  /** The client's credential on this case (the API key), or the provider key the plain route forwards. */
  headers: Record<string, string>;
}

async function main(): Promise<number> {
  const parsed = parseAiOptions(process.argv.slice(2), process.env);
  if (parsed === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const o: AiBenchOptions = parsed;
  if (o.only.length === 0) throw new Error('no case to measure');
  // Inherited by the gateway processes: the provider key their config names.
  process.env[PROVIDER_KEY_ENV] = PROVIDER_KEY;
  const dir = mkdtempSync(join(tmpdir(), 'pinpoint-bench-ai-'));
  const profileDir = o.profile ? mkdtempSync(join(tmpdir(), 'pinpoint-bench-ai-profile-')) : undefined;
  onInterrupt(dir, []);
  try {
    const result: AiBenchResult = { ttft: [], throughput: [], notes: [] };
    const startGateway = async (name: AiCase, kind: RouteKind, fake: Child): Promise<GatewayCase> => {
      log(`starting ${LABELS[name]}`);
      const config = writeAiGatewayConfig(dir, name, kind, fake.url);
      // The plain route forwards the client's Authorization: the client holds the provider key there.
      const key = kind === 'ai-apikey' ? await createBenchKey(join(dir, name, STORE_FILE)) : kind === 'proxy' ? PROVIDER_KEY : undefined;
      const headers: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};
      const prof = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(profileDir, name)}`] : [];
      return { name, child: await startNodeServer(name, 'gateway.ts', [config], prof), config, headers };
    };

    if (o.only.includes('ai-ttft')) {
      log('starting the streaming fake provider');
      const fake = await startNodeServer('fake-openai-stream', FAKE, [String(o.chunks), String(o.firstTokenMs), String(o.chunkMs)]);
      const gw = await startGateway('ai-ttft', 'ai', fake);
      // Controls: what one more hop costs without the AI route's work (see measureTtft).
      log('starting the TTFT controls: a plain proxy route, a TCP relay, a bare node:http proxy, @fastify/http-proxy');
      const controls: Array<{ id: TtftControl; label: string; child: Child }> = [
        { id: 'proxy-route', label: 'a plain proxy route of the gateway', child: await startNodeServer('ttft-proxy-route', 'gateway.ts', [writeAiGatewayConfig(dir, 'ttft-proxy-route', 'proxy', fake.url)]) },
        { id: 'tcp-relay', label: 'a TCP relay (no HTTP)', child: await startNodeServer('ttft-tcp-relay', 'tcp-relay.ts', [fake.url]) },
        { id: 'node-proxy', label: 'a bare node:http proxy', child: await startNodeServer('ttft-node-proxy', 'node-proxy.ts', [fake.url]) },
        { id: 'fastify', label: '@fastify/http-proxy', child: await startNodeServer('ttft-fastify', 'fastify-proxy.ts', [fake.url]) },
      ];
      result.ttft = await measureTtft(o, fake, gw, controls);
      for (const c of controls) await c.child.stop();
      await gw.child.stop();
      await fake.stop();
    }

    const loadCases = (['ai-proxy', 'ai-chat', 'ai-chat-apikey'] as const).filter((c) => o.only.includes(c));
    if (loadCases.length) {
      log('starting the fake provider (no delays)');
      const fake = await startNodeServer('fake-openai', FAKE, [String(o.chunks), '0', '0']);
      const kinds: Record<(typeof loadCases)[number], RouteKind> = { 'ai-proxy': 'proxy', 'ai-chat': 'ai', 'ai-chat-apikey': 'ai-apikey' };
      const gateways: GatewayCase[] = [];
      for (const name of loadCases) {
        const gw = await startGateway(name, kinds[name], fake);
        await preflightChat(LABELS[name], gw.child.url, answerText(o.chunks), gw.headers, true);
        gateways.push(gw);
      }
      result.throughput = await measureThroughput(o, fake, gateways);
    }
    await stopAll();

    process.stdout.write((o.json ? renderAiJson(result, o) : renderAiTables(result, o)) + '\n');
    if (profileDir) {
      for (const name of o.only) {
        const folder = join(profileDir, name);
        if (existsSync(folder)) log(`\n=== ${LABELS[name]} ===\n${summariseDir(folder)}`);
      }
      log(`\nprofiles kept in ${profileDir} (open them in Chrome DevTools, or: npx tsx bench/profile-top.ts <folder>)`);
    }
    const broken = result.throughput.filter((c) => c.rounds.some((m) => m.errors > 0 || m.non2xx > 0 || m.cut));
    if (broken.length) {
      log(`\nFAILED: ${broken.map((c) => c.label).join(', ')} had errors or non-2xx answers under load, or a run that ended with calls in flight; their figures are not comparable.`);
      return 1;
    }
    return 0;
  } finally {
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Sequential, then concurrent streams, each interleaved between the gateway's AI route, the fake
 * directly and the controls: the same stream through one more hop that does no AI work (the
 * gateway's plain proxy route, a TCP relay, a bare node:http proxy, fastify's proxy). What the AI route adds over the
 * plain route is the AI work; what the plain route adds over the relay is HTTP proxying.
 */
async function measureTtft(o: AiBenchOptions, fake: Child, gw: GatewayCase, controls: Array<{ id: TtftControl; label: string; child: Child }>): Promise<TtftPhase[]> {
  const expected = answerText(o.chunks);
  const providerKey = { authorization: `Bearer ${PROVIDER_KEY}` };
  const direct = streamTarget('fake provider, direct', fake.url, o.concurrency, providerKey);
  const through = streamTarget(LABELS['ai-ttft'], gw.child.url, o.concurrency);
  const controlTargets = controls.map((c) => streamTarget(c.label, c.child.url, o.concurrency, providerKey));
  const targets: StreamTarget[] = [direct, through, ...controlTargets];
  const view = gatewayView(gw.child, join(dirname(gw.config), CALL_LOG_FILE));
  try {
    for (const t of targets) await timeStream(t, expected); // preflight: throws on a broken stream
    log(`time to first token: warm-up, ${TTFT_WARMUP_CALLS} streams per target`);
    await runPhase(targets, { calls: TTFT_WARMUP_CALLS, concurrency: o.concurrency }, expected);
    const phases: TtftPhase[] = [];
    for (const concurrency of o.concurrency > 1 ? [1, o.concurrency] : [1]) {
      const phase = concurrency === 1 ? 'sequential' : `${concurrency} concurrent`;
      log(`time to first token, ${phase}: ${o.calls} streams per target`);
      const mark = view.mark();
      const pids = controls.map((c) => c.child.proc.pid);
      const { result, cpu } = await withCpu(gw.child.proc.pid, fake.proc.pid, () => runPhase(targets, { calls: o.calls, concurrency }, expected), () => o.calls, pids);
      const figures = (ts: StreamTiming[]) => ({ ttft: summarise(ts.map((t) => t.ttftMs)), total: summarise(ts.map((t) => t.totalMs)) });
      const p: TtftPhase = {
        phase,
        concurrency,
        direct: figures(result.get(direct)!),
        gateway: figures(result.get(through)!),
        controls: controlTargets.map((t, i) => ({ id: controls[i].id, label: t.name, ...figures(result.get(t)!) })),
        fakeShare: targets.length - 1,
        gatewayOwn: await view.since(mark),
        cpu,
      };
      log(`  p50 direct ${p.direct.ttft.p50.toFixed(2)} ms, through the gateway ${p.gateway.ttft.p50.toFixed(2)} ms`);
      phases.push(p);
    }
    return phases;
  } finally {
    view.close();
    await Promise.all(targets.map((t) => t.pool.close()));
  }
}

/**
 * Each case in turn, `rounds` times interleaved: round i of every case runs back to back, so the
 * report compares cases round by round. The table shows each case's round with the median throughput.
 */
async function measureThroughput(o: AiBenchOptions, fake: Child, gateways: GatewayCase[]): Promise<ThroughputCase[]> {
  type Run = ChatLoad & { cpu?: CpuFigures };
  const rounds = new Map<GatewayCase, Run[]>(gateways.map((g) => [g, []]));
  const run = async (gw: GatewayCase, duration: number): Promise<Run> => {
    const { result, cpu } = await withCpu(gw.child.proc.pid, fake.proc.pid, () => runChatLoad(gw.child.url, { duration, connections: o.connections }, gw.headers), (r) => r.requests);
    return { ...result, cpu };
  };
  // The AI route's code paths (tokenizer, price table, dialects) take thousands of calls to reach
  // their steady cost; before the first round, warm-up runs repeat until enough calls were made.
  const warmUp = async (gw: GatewayCase, label: string, first: boolean) => {
    const started = Date.now();
    let calls = 0;
    do {
      log(`${label}: warm-up ${o.warmup} s`);
      calls += (await run(gw, o.warmup)).requests;
    } while (first && calls < WARMUP_MIN_CALLS && Date.now() - started < WARMUP_MAX_S * 1000);
  };
  for (let round = 1; round <= o.rounds; round++) {
    // Odd rounds in order, even rounds reversed (see bench/run.ts): a slot's bias cancels out of the paired ratios.
    for (const gw of round % 2 === 1 ? gateways : [...gateways].reverse()) {
      const label = `${LABELS[gw.name]}${o.rounds > 1 ? ` (round ${round}/${o.rounds})` : ''}`;
      if (o.warmup > 0) await warmUp(gw, label, round === 1);
      log(`${label}: measuring ${o.duration} s`);
      const m = await run(gw, o.duration);
      log(`${label}: ${m.requests} requests in ${m.seconds.toFixed(1)} s, ${m.requestsPerSec.toFixed(0)} req/s, p50 ${m.latency.p50.toFixed(2)} ms, p99 ${m.latency.p99.toFixed(2)} ms, errors ${m.errors}, non-2xx ${m.non2xx}${m.cut ? ', CUT with calls in flight' : ''}`);
      rounds.get(gw)!.push(m);
    }
  }
  const cases: ThroughputCase[] = [];
  for (const gw of gateways) {
    const runs = rounds.get(gw)!;
    cases.push({ name: gw.name, label: LABELS[gw.name], median: median(runs), rounds: runs, notes: [await callLogNote(gw.child)] });
  }
  return cases;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    log(`\nAI bench failed: ${err.message}`);
    void stopAll().finally(() => process.exit(1));
  },
);
