// CPU time of a server process (all its threads, and its direct children: nginx's worker),
// read from /proc. On a small machine the load generator and the servers share the cores,
// so CPU spent per request is the fairest measure of what a proxy costs.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SEC = clockTicks();

/** Microseconds of CPU (user + system) used so far by pid and its direct children; undefined off Linux. */
export function cpuMicros(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  const own = stat(pid);
  if (own === undefined) return undefined;
  let ticks = own.ticks;
  for (const child of childrenOf(pid)) ticks += stat(child)?.ticks ?? 0;
  return (ticks * 1e6) / TICKS_PER_SEC;
}

/** Microseconds of CPU used so far by the main thread of pid alone (the event loop of a node process). */
export function mainThreadMicros(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  const own = stat(pid, `/proc/${pid}/task/${pid}/stat`);
  return own === undefined ? undefined : (own.ticks * 1e6) / TICKS_PER_SEC;
}

function stat(pid: number, path = `/proc/${pid}/stat`): { ticks: number; ppid: number } | undefined {
  try {
    const text = readFileSync(path, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) };
  } catch {
    return undefined;
  }
}

function childrenOf(pid: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    if (stat(Number(name))?.ppid === pid) out.push(Number(name));
  }
  return out;
}

function clockTicks(): number {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return n > 0 ? n : 100;
  } catch {
    return 100;
  }
}

/** Busy and total jiffies of the whole machine (all cores), from /proc/stat; undefined off Linux. */
export function machineTicks(): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
    // idle + iowait are the only non-busy states.
    return { busy: total - v[3] - (v[4] ?? 0), total };
  } catch {
    return undefined;
  }
}
