// CPU used by the gateway and the fake provider while a piece of load ran (Linux /proc, via
// bench/cpu.ts): per request is the steady figure on a shared machine; `otherCores` says how
// much the rest of the machine was busy meanwhile.
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { cpuMicros, machineTicks, mainThreadMicros } from '../cpu.ts';

export interface CpuFigures {
  /** The gateway process, all threads: average cores busy, and CPU time per request (µs). */
  gatewayCores: number;
  gatewayUsPerReq: number;
  /** The gateway's main thread alone (the event loop), µs per request. */
  mainThreadUsPerReq?: number;
  /** The fake provider's CPU per request (µs): the same work in every case. */
  fakeUsPerReq: number;
  /** Cores used by other programs (not the gateway, the fake or this process) meanwhile. */
  otherCores?: number;
}

/**
 * Runs `work` and reports the CPU the gateway (pid) and the fake used for the `count(result)`
 * requests it made. `alsoOurs`: other bench processes busy meanwhile (the TTFT controls), left
 * out of `otherCores`.
 */
export async function withCpu<T>(gatewayPid: number | undefined, fakePid: number | undefined, work: () => Promise<T>, count: (r: T) => number, alsoOurs: Array<number | undefined> = []): Promise<{ result: T; cpu?: CpuFigures }> {
  const ours = () => alsoOurs.reduce<number>((sum, pid) => sum + (cpuMicros(pid) ?? 0), 0);
  const before = { gw: cpuMicros(gatewayPid), main: mainThreadMicros(gatewayPid), fake: cpuMicros(fakePid), ours: ours(), self: process.cpuUsage(), machine: machineTicks(), at: performance.now() };
  const result = await work();
  const after = { gw: cpuMicros(gatewayPid), main: mainThreadMicros(gatewayPid), fake: cpuMicros(fakePid), ours: ours(), self: process.cpuUsage(before.self), machine: machineTicks() };
  const wallUs = (performance.now() - before.at) * 1000;
  const n = count(result);
  if (before.gw === undefined || after.gw === undefined || before.fake === undefined || after.fake === undefined || n === 0) return { result };
  const gatewayCores = (after.gw - before.gw) / wallUs;
  const fakeCores = (after.fake - before.fake) / wallUs;
  const cpu: CpuFigures = { gatewayCores, gatewayUsPerReq: (after.gw - before.gw) / n, fakeUsPerReq: (after.fake - before.fake) / n };
  if (before.main !== undefined && after.main !== undefined) cpu.mainThreadUsPerReq = (after.main - before.main) / n;
  if (before.machine && after.machine) {
    const busy = ((after.machine.busy - before.machine.busy) / (after.machine.total - before.machine.total)) * cpus().length;
    cpu.otherCores = Math.max(0, busy - gatewayCores - fakeCores - (after.ours - before.ours) / wallUs - (after.self.user + after.self.system) / wallUs);
  }
  return { result, cpu };
}
