// Runs the real `pinpoint` command as a child process, for the CLI's tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/pinpoint.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Written to the child's stdin, which is then closed (stdin is ignored without it). */
  input?: string;
}

export function spawnCli(args: string[], opts: CliOptions = {}): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
}

/** Runs to completion; kills the child and fails after timeoutMs (default 30 s: a bound for a hung child, not a speed test). */
export function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  const child = spawnCli(args, opts);
  if (opts.input !== undefined) child.stdin!.end(opts.input);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`pinpoint ${args.join(' ')} did not finish in time\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, opts.timeoutMs ?? 30000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Collects a running child's stdout and waits until it matches `pattern`. */
export function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs = 30000): Promise<{ match: RegExpMatchArray; output: () => string }> {
  let out = '';
  const output = () => out;
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  return new Promise((resolve, reject) => {
    const check = setInterval(() => {
      const match = out.match(pattern);
      if (match) {
        clearInterval(check);
        clearTimeout(timer);
        resolve({ match, output });
      }
    }, 20);
    const timer = setTimeout(() => {
      clearInterval(check);
      reject(new Error(`no output matching ${pattern} in time; got:\n${out}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      if (out.match(pattern)) return;
      clearInterval(check);
      clearTimeout(timer);
      reject(new Error(`exited (${code}) before printing ${pattern}; got:\n${out}`));
    });
  });
}

export function exited(child: ChildProcess, timeoutMs = 30000): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('the child did not exit in time'));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}
