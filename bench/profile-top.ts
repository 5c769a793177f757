// Summarises a V8 .cpuprofile (node --cpu-prof): hottest functions by self time, time by
// file or package, and inclusive time of the repo's own functions.
// Standalone: npx tsx bench/profile-top.ts <file.cpuprofile | folder of them> [count]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const IDLE = new Set(['(idle)', '(program)']);

/**
 * Summarises every profile of one process (node writes one file per thread): the main
 * thread in full, other threads that did real work (the call log writer) in short.
 */
export function summariseDir(dir: string, count = 25): string {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length === 0) return `no CPU profile in ${dir}`;
  // CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile; thread 0 is the main thread.
  const thread = (f: string) => Number(f.split('.').at(-3));
  const analysed = files.map((f) => ({ file: join(dir, f), thread: thread(f), a: analyse(join(dir, f)) })).sort((x, y) => x.thread - y.thread);
  const main = analysed.find((x) => x.thread === 0) ?? analysed[0];
  const out = [render(main.file, main.a, count, true)];
  for (const other of analysed) {
    if (other === main) continue;
    if (other.a.busy < 0.05 * main.a.busy) {
      out.push(`\n(thread ${other.thread}: ${(other.a.busy / 1e6).toFixed(2)} s busy, not shown)`);
      continue;
    }
    out.push(`\nthread ${other.thread} (a worker thread): ${render(other.file, other.a, 10, false)}`);
  }
  return out.join('\n');
}

export function summarise(file: string, count = 25): string {
  return render(file, analyse(file), count, true);
}

interface Analysis {
  busy: number;
  self: Map<string, number>;
  byFile: Map<string, number>;
  inclusive: Map<string, number>;
}

function analyse(file: string): Analysis {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const selfByNode = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    selfByNode.set(id, (selfByNode.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }

  const a: Analysis = { busy: 0, self: new Map(), byFile: new Map(), inclusive: new Map() };
  for (const [id, us] of selfByNode) {
    const node = byId.get(id)!;
    if (IDLE.has(node.callFrame.functionName)) continue;
    a.busy += us;
    add(a.self, key(node.callFrame), us);
    add(a.byFile, where(node.callFrame.url) || node.callFrame.functionName, us);
    // Inclusive time of the repo's own functions: each one on this stack, counted once.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const frame = byId.get(cur)!.callFrame;
      if (!isOwn(frame.url)) continue;
      const k = key(frame);
      if (!seen.has(k)) {
        seen.add(k);
        add(a.inclusive, k, us);
      }
    }
  }
  return a;
}

function render(file: string, a: Analysis, count: number, full: boolean): string {
  const pct = (us: number) => `${((100 * us) / a.busy).toFixed(1).padStart(5)}%`;
  const top = (m: Map<string, number>, n: number) =>
    [...m.entries()]
      .sort((x, y) => y[1] - x[1])
      .slice(0, n)
      .map(([k, us]) => `  ${pct(us)}  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`);
  const lines = [`CPU profile ${file}: ${(a.busy / 1e6).toFixed(2)} s busy (idle excluded)`, '', `self time, top ${count} functions:`, ...top(a.self, count)];
  if (!full) return lines.join('\n');
  lines.push('', 'self time by file / package:', ...top(a.byFile, 15));
  if (a.inclusive.size) lines.push('', "inclusive time of the repo's own functions:", ...top(a.inclusive, 20));
  return lines.join('\n');
}

function add(m: Map<string, number>, k: string, us: number): void {
  m.set(k, (m.get(k) ?? 0) + us);
}

function key(f: CallFrame): string {
  const file = where(f.url);
  return `${f.functionName || '(anonymous)'}${file ? `  ${file}:${f.lineNumber + 1}` : ''}`;
}

/** Repo files relative to the repo, dependencies as their package, node internals as is. */
function where(url: string): string {
  if (!url) return '';
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = path.slice(nm + '/node_modules/'.length).split('/');
    return `[${rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}] ${rest.slice(rest[0].startsWith('@') ? 2 : 1).join('/')}`;
  }
  return path.startsWith(repoRoot) ? path.slice(repoRoot.length) : path;
}

function isOwn(url: string): boolean {
  return url.startsWith('file://') && !url.includes('/node_modules/') && fileURLToPath(url).startsWith(repoRoot);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [file, count] = process.argv.slice(2);
  if (!file) {
    console.error('usage: npx tsx bench/profile-top.ts <file.cpuprofile | folder> [count]');
    process.exit(2);
  }
  const n = count ? Number(count) : 25;
  console.log(statSync(file).isDirectory() ? summariseDir(file, n) : summarise(file, n));
}
