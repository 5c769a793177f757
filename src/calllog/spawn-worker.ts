import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * The URL of a module next to `from` (an import.meta.url), with `from`'s own extension: `.ts` when the
 * program runs from source through tsx, `.js` when it runs from the build (`npm run build`). A worker's
 * file is named in a string, not an import, so the compiler does not rewrite its extension.
 */
export function siblingModule(from: string, name: string): URL {
  return new URL(`./${name}${from.endsWith('.ts') ? '.ts' : '.js'}`, from);
}

/**
 * Starts a worker thread from a TypeScript file. On Node 20 a worker does not inherit the
 * TypeScript loader of its parent (neither `--import tsx` nor `tsx/esm/api`'s register()),
 * so `new Worker(new URL('./x.ts', ...))` fails with "Unknown file extension .ts". The
 * worker therefore starts from a one-line bootstrap that imports the file through tsx.
 * A compiled `.js` file is started directly.
 */
export function spawnWorker(file: URL, options: WorkerOptions): Worker {
  if (!file.pathname.endsWith('.ts')) return new Worker(file, options);
  const api = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(api)}).then((tsx) => tsx.tsImport(${JSON.stringify(file.href)}, ${JSON.stringify(file.href)}))`;
  return new Worker(bootstrap, { ...options, eval: true });
}
