// Every start of `pinpoint` builds the definitions of all its commands, so a definition file that
// imported the code doing the work at the top would load most of the gateway for --help or any
// command (about two seconds under tsx). A child process runs the real CLI with a module loader
// hook that writes down every module it loads; these tests check which ones it loaded.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BIN } from './run-cli.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'pinpoint-startup-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// Plain JavaScript: it runs (with --import) before the CLI registers its TypeScript loader.
const HOOK = `import { appendFileSync } from 'node:fs';
let file;
export function initialize(data) { file = data.file; }
export async function load(url, context, next) { appendFileSync(file, url + '\\n'); return next(url, context); }`;
const RECORDER = `import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(HOOK)}), { data: { file: process.env.PINPOINT_LOADED_MODULES } });`;

interface Loaded {
  code: number;
  stdout: string;
  /** The modules of this repository, relative to its root (src/cli/main.ts). */
  project: string[];
  /** The packages loaded from node_modules (commander). */
  packages: Set<string>;
}

let runs = 0;
function loadedBy(args: string[]): Promise<Loaded> {
  const file = join(dir, `modules-${++runs}.txt`);
  const importFlag = 'data:text/javascript,' + encodeURIComponent(RECORDER);
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', importFlag, BIN, ...args], { cwd: root, env: { ...process.env, PINPOINT_LOADED_MODULES: file }, timeout: 30_000 }, (err, stdout) => {
      if (err && typeof err.code !== 'number') return reject(err);
      const paths = readFileSync(file, 'utf8').split('\n').filter((u) => u.startsWith('file:')).map((u) => fileURLToPath(u).split(sep).join('/'));
      const packages = new Set(paths.filter((p) => p.includes('/node_modules/')).map((p) => packageOf(p.slice(p.lastIndexOf('/node_modules/') + '/node_modules/'.length))));
      const project = paths.filter((p) => !p.includes('/node_modules/')).map((p) => relative(root, p).split(sep).join('/'));
      resolve({ code: err ? (err.code as number) : 0, stdout, project: project.filter((p) => p.startsWith('src/')), packages });
    });
  });
}

function packageOf(path: string): string {
  return path.split('/').slice(0, path.startsWith('@') ? 2 : 1).join('/');
}

/** What building the program must not load: the work of the commands and the gateway itself. */
const HEAVY = ['src/cli/actions/', 'src/server/', 'src/admin/', 'src/proxy/', 'src/ai/', 'src/config/', 'src/pipeline/', 'src/explain/', 'src/calllog/', 'src/layers/limits/', 'src/store/sqlite'];
/** Packages only the work needs (the definitions need commander, the loader tsx and esbuild). */
const HEAVY_PACKAGES = ['zod', 'yaml', 'jose', 'undici', 'find-my-way', 'better-sqlite3', 'pg', 'ioredis', 'prom-client'];

test('pinpoint --help loads the command definitions only, not the code that does their work', async () => {
  const run = await loadedBy(['--help']);
  assert.equal(run.code, 0);
  assert.match(run.stdout, /Usage: pinpoint/);
  // The hook sees TypeScript modules (else the checks below would pass for nothing).
  assert.ok(run.project.includes('src/cli/main.ts') && run.project.includes('src/cli/why.ts'), run.project.join('\n'));
  assert.deepEqual(run.project.filter((p) => HEAVY.some((h) => p.startsWith(h))), []);
  assert.ok(run.packages.has('commander'), [...run.packages].join(' '));
  assert.deepEqual([...run.packages].filter((p) => HEAVY_PACKAGES.includes(p)), []);
});

test('a command loads its own work when it runs, and not the work of the other commands', async () => {
  const run = await loadedBy(['validate', '-c', 'examples/quickstart/pinpoint.yaml']);
  assert.equal(run.code, 0, run.stdout);
  assert.match(run.stdout, /pinpoint\.yaml: ok/);
  assert.ok(run.project.includes('src/cli/actions/validate.ts') && run.project.includes('src/config/load.ts'), run.project.join('\n'));
  assert.deepEqual(run.project.filter((p) => p.startsWith('src/cli/actions/') && p !== 'src/cli/actions/validate.ts'), []);
  assert.deepEqual(run.project.filter((p) => p.startsWith('src/server/') || p.startsWith('src/admin/')), []);
  assert.ok(run.packages.has('zod'), [...run.packages].join(' '));
  assert.deepEqual([...run.packages].filter((p) => ['better-sqlite3', 'pg', 'ioredis', 'prom-client'].includes(p)), []);
});

test('a store command on a SQLite setup loads the SQLite driver and never the PostgreSQL one', async () => {
  const config = join(dir, 'sqlite.yaml');
  writeFileSync(config, 'store: { file: store.db }\nservices: { api: { upstreams: [{ url: "http://127.0.0.1:9" }] } }\nroutes:\n  - { id: r, service: api, paths: [/x] }\n');
  const run = await loadedBy(['keys', 'list', '-c', config]);
  assert.equal(run.code, 0, run.stdout);
  assert.ok(run.packages.has('better-sqlite3'), [...run.packages].join(' '));
  assert.ok(!run.packages.has('pg'), 'pg was loaded');
  assert.deepEqual(run.project.filter((p) => p.startsWith('src/store/postgres') && p !== 'src/store/postgres-target.ts'), []);
});
