// Builds the production tree in dist/: tsc compiles the TypeScript (tsconfig.build.json), then the
// files the program reads at run time next to its modules (the limiter's Lua scripts, the WAF's rule
// files, the bench's corpora) are copied beside the compiled modules. Running from dist/ needs no TypeScript loader:
//   npm run build && node dist/src/cli/main.js start -c pinpoint.yaml
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = resolve(root, process.argv[2] ?? 'dist');

/** Every file under dir that is not TypeScript, as paths relative to root. */
function assets(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && !e.name.endsWith('.ts'))
    .map((e) => relative(root, join(e.parentPath, e.name)));
}

rmSync(outDir, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', outDir], { stdio: 'inherit' });
for (const file of [...assets('src'), ...assets('bench/corpora')]) {
  mkdirSync(dirname(join(outDir, file)), { recursive: true });
  copyFileSync(join(root, file), join(outDir, file));
}
process.stdout.write(`built ${relative(root, outDir) || '.'}/ (run: node ${relative(root, join(outDir, 'src/cli/main.js'))} start -c pinpoint.yaml)\n`);
