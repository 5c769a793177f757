// npm run bench: one fixed upstream, the Pinpoint gateway and its peers (each in its own
// process), the same POST load at each in turn, and the gateway's ratio to each peer.
// See bench/README.md.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startNodeServer, stopAll, type Child } from './children.ts';
import { callLogNote, onInterrupt, runCleanups } from './lifecycle.ts';
import { preflight, runLoad, type LoadSettings, type Measurement } from './load.ts';
import { parseOptions, USAGE, type BenchOptions } from './options.ts';
import { cpus } from 'node:os';
import { cpuMicros, machineTicks, mainThreadMicros } from './cpu.ts';
import { summariseDir } from './profile-top.ts';
import { LABELS, median, renderJson, renderTable, type TargetResult } from './report.ts';
import { isGateway, startTarget, unavailable, type Target } from './targets.ts';

const log = (line: string) => process.stderr.write(line + '\n');

async function main(): Promise<number> {
  const parsed = parseOptions(process.argv.slice(2), process.env);
  if (parsed === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const opts: BenchOptions = parsed;
  const dir = mkdtempSync(join(tmpdir(), 'pinpoint-bench-'));
  const profileDir = opts.profile ? mkdtempSync(join(tmpdir(), 'pinpoint-bench-profile-')) : undefined;
  const cleanups: Array<() => Promise<void>> = [];
  onInterrupt(dir, cleanups);
  try {
    const skipped: string[] = [];
    const names = opts.only.filter((name) => {
      const why = unavailable(name);
      if (why) {
        skipped.push(why);
        log(why);
      }
      return !why;
    });
    if (names.length === 0) throw new Error('no target to measure');

    log('starting the upstream');
    const upstream = await startNodeServer('upstream', 'upstream.ts');
    await preflight('upstream', upstream.url);

    const targets: Target[] = [];
    for (const name of names) {
      log(`starting ${LABELS[name]}`);
      const target = await startTarget(name, { dir, upstream, profileDir, cleanups });
      await preflight(LABELS[name], target.child.url, target.mustHaveHeader, target.headers, target.body);
      targets.push(target);
    }

    const rounds = new Map<Target, Measurement[]>(targets.map((t) => [t, []]));
    const notes = new Map<Target, string[]>(targets.map((t) => [t, []]));
    for (let round = 1; round <= opts.rounds; round++) {
      // Odd rounds in the given order, even rounds reversed: the first and the last slot of a round
      // are not alike (measured here: a target run right after another read 4-8% slower), and
      // alternating cancels that out of the paired ratios. An even number of rounds balances it.
      for (const target of round % 2 === 1 ? targets : [...targets].reverse()) {
        const label = `${LABELS[target.name]}${opts.rounds > 1 ? ` (round ${round}/${opts.rounds})` : ''}`;
        if (opts.warmup > 0) {
          log(`${label}: warm-up ${opts.warmup} s`);
          await runLoad(target.child.url, { ...opts, duration: opts.warmup }, false, target.headers, target.body);
        }
        log(`${label}: measuring ${opts.duration} s`);
        const m = await measure(target, upstream, opts);
        log(`${label}: ${m.requestsPerSec.toFixed(0)} req/s, p50 ${m.p50Ms.toFixed(2)} ms, p99 ${m.p99Ms.toFixed(2)} ms, errors ${m.errors}, non-2xx ${m.non2xx}${cpuSummary(m)}`);
        rounds.get(target)!.push(m);
        // Every round waits for the call log to catch up (so its backlog does not run into the
        // next target's measurement); its counters are cumulative, so the last round's note is kept.
        const callLog = isGateway(target.name) ? await callLogNote(target.child) : undefined;
        if (round === opts.rounds) {
          if (callLog) notes.get(target)!.push(callLog);
          if (target.note) notes.get(target)!.push(target.note());
        }
      }
    }

    const results: TargetResult[] = targets.map((t) => ({
      target: t.name,
      label: LABELS[t.name],
      median: median(rounds.get(t)!),
      rounds: rounds.get(t)!,
      notes: notes.get(t)!,
    }));
    log('stopping the servers');
    await stopAll();
    await runCleanups(cleanups);
    process.stdout.write((opts.json ? renderJson(results, opts, skipped) : renderTable(results, opts, skipped)) + '\n');

    if (profileDir) {
      for (const t of targets) {
        const folder = join(profileDir, t.name);
        if (existsSync(folder)) log(`\n=== ${LABELS[t.name]} ===\n${summariseDir(folder)}`);
      }
      log(`\nprofiles kept in ${profileDir} (open them in Chrome DevTools, or: npx tsx bench/profile-top.ts <folder>)`);
    }

    const broken = results.filter((r) => r.rounds.some((m) => m.errors > 0 || m.non2xx > 0));
    if (broken.length) {
      log(`\nFAILED: ${broken.map((r) => r.label).join(', ')} had errors or non-2xx answers under load; their figures are not comparable.`);
      return 1;
    }
    return 0;
  } finally {
    await stopAll();
    await runCleanups(cleanups);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One measured run, with the CPU the target and the upstream used meanwhile. */
async function measure(target: Target, upstream: Child, load: LoadSettings): Promise<Measurement> {
  const targetPid = target.child.proc.pid;
  const same = target.child === upstream;
  const before = { target: cpuMicros(targetPid), main: mainThreadMicros(targetPid), upstream: cpuMicros(upstream.proc.pid), self: process.cpuUsage(), machine: machineTicks(), at: performance.now() };
  const m = await runLoad(target.child.url, load, true, target.headers, target.body);
  const targetUs = cpuMicros(targetPid);
  const mainUs = mainThreadMicros(targetPid);
  const upstreamUs = cpuMicros(upstream.proc.pid);
  const self = process.cpuUsage(before.self);
  const machine = machineTicks();
  const wallUs = (performance.now() - before.at) * 1000;
  if (before.target !== undefined && targetUs !== undefined && before.upstream !== undefined && upstreamUs !== undefined && m.requests > 0) {
    const targetCores = (targetUs - before.target) / wallUs;
    const upstreamCores = same ? 0 : (upstreamUs - before.upstream) / wallUs;
    const loadGeneratorCores = (self.user + self.system) / wallUs;
    m.cpu = {
      targetCores,
      targetUsPerReq: (targetUs - before.target) / m.requests,
      upstreamUsPerReq: (upstreamUs - before.upstream) / m.requests,
      loadGeneratorCores,
    };
    // nginx's work is in its worker process, not in the master's main thread.
    if (target.name !== 'nginx' && mainUs !== undefined && before.main !== undefined) m.cpu.mainThreadUsPerReq = (mainUs - before.main) / m.requests;
    if (before.machine && machine) {
      const busyCores = ((machine.busy - before.machine.busy) / (machine.total - before.machine.total)) * cpus().length;
      m.cpu.otherCores = Math.max(0, busyCores - targetCores - upstreamCores - loadGeneratorCores);
    }
  }
  return m;
}

function cpuSummary(m: Measurement): string {
  if (!m.cpu) return '';
  const c = m.cpu;
  const other = c.otherCores === undefined ? '' : `, other programs ${c.otherCores.toFixed(2)}`;
  return `; cores: target ${c.targetCores.toFixed(2)}, load generator ${c.loadGeneratorCores.toFixed(2)}${other}`;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    log(`\nbench failed: ${err.message}`);
    void stopAll().finally(() => process.exit(1));
  },
);
