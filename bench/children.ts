// Every server of the bench runs in its own child process, so the load generator (this
// process) and each server get their own event loop. All children are tracked here and
// killed at the end, on error, and on Ctrl-C.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';

export interface Child {
  name: string;
  url: string;
  proc: ChildProcess;
  /** Asks a node child for its counters (null for children without an IPC channel). */
  stats(): Promise<unknown>;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
/** Run from the build (`npm run bench` builds dist/ first): the children run compiled too, as in production. */
const compiled = import.meta.url.endsWith('.js');
const repoRoot = fileURLToPath(new URL(compiled ? '../..' : '..', import.meta.url));

/** Runs bench/servers/<entry> (from the build, or from source with tsx) in a child process and waits for its ready message. */
export async function startNodeServer(name: string, entry: string, args: string[] = [], nodeArgs: string[] = []): Promise<Child> {
  const file = fileURLToPath(new URL(`./servers/${compiled ? entry.replace(/\.ts$/, '.js') : entry}`, import.meta.url));
  const proc = fork(file, args, {
    cwd: repoRoot,
    execArgv: compiled ? nodeArgs : ['--import', 'tsx', ...nodeArgs],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  const stderr = track(name, proc);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 20 s\n${stderr()}`)), 20_000);
    proc.on('message', (msg: { type?: string; url?: string }) => {
      if (msg?.type === 'ready' && msg.url) {
        clearTimeout(timer);
        resolve(msg.url);
      }
    });
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited during start-up (code ${code}, signal ${signal})\n${stderr()}`));
    });
  });
  return {
    name,
    url,
    proc,
    stats: () =>
      new Promise((resolve) => {
        const timer = setTimeout(() => resolve(null), 2000);
        proc.once('message', (msg: { type?: string; stats?: unknown }) => {
          clearTimeout(timer);
          resolve(msg?.type === 'stats' ? msg.stats : null);
        });
        proc.send({ type: 'stats' });
      }),
    stop: () => stop(proc),
  };
}

/** Runs a non-node server (nginx) and waits until its port accepts connections. */
export async function startProcess(name: string, command: string, args: string[], url: string): Promise<Child> {
  const proc = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const stderr = track(name, proc);
  const { hostname, port } = new URL(url);
  const exited = new Promise<never>((_, reject) =>
    proc.once('exit', (code, signal) => reject(new Error(`${name} exited during start-up (code ${code}, signal ${signal})\n${stderr()}`))),
  );
  exited.catch(() => {});
  for (let i = 0; ; i++) {
    if (i === 100) {
      await stop(proc);
      throw new Error(`${name} did not accept connections on ${url} within 10 s\n${stderr()}`);
    }
    const ok = await Promise.race([canConnect(hostname, Number(port)), exited]);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { name, url, proc, stats: async () => null, stop: () => stop(proc) };
}

/** SIGTERM, then SIGKILL after 5 s (a child writing a CPU profile needs a moment). */
export async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

export async function stopAll(): Promise<void> {
  await Promise.all([...live].map(stop));
}

// Last resort: whatever way this process ends, no server outlives it.
process.on('exit', () => {
  for (const proc of live) proc.kill('SIGKILL');
});

function track(name: string, proc: ChildProcess): () => string {
  live.add(proc);
  proc.once('exit', () => live.delete(proc));
  let tail = '';
  proc.stderr?.setEncoding('utf8');
  proc.stderr?.on('data', (chunk: string) => {
    tail = (tail + chunk).slice(-4000);
  });
  return () => (tail ? `--- ${name} stderr ---\n${tail}` : `(${name} wrote nothing to stderr)`);
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}
