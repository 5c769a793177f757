// `npm run build` makes a dist/ that runs with plain node, no TypeScript loader: the call log's worker
// thread, the WAF's rule files and the limiter's Lua scripts must all be found next to the compiled
// modules. This builds into a temporary folder and runs a gateway from it.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startUpstream } from './helpers/servers.ts';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
// Inside the repository (tmp-* is ignored by git), so that the build finds node_modules as dist/ does.
const dir = mkdtempSync(join(root, 'tmp-build-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('the build runs with plain node: a gateway from dist/ proxies, refuses with the WAF and logs through its worker', async () => {
  const out = join(dir, 'dist');
  await run(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'build.ts'), out], { cwd: root });
  const main = join(out, 'src', 'cli', 'main.js');
  assert.ok(existsSync(main));
  assert.ok(existsSync(join(out, 'src', 'layers', 'limits', 'check.lua')));

  const upstream = await startUpstream();
  const config = join(dir, 'gateway.yaml');
  writeFileSync(
    config,
    [
      'log: { file: calls.db }',
      'services:',
      `  orders: { upstreams: [{ url: "${upstream.url}" }] }`,
      'routes:',
      '  - { id: orders, service: orders, paths: ["/orders"], methods: [GET, POST], waf: { paranoia: 1 } }',
      '',
    ].join('\n'),
  );
  // No --import tsx: a .ts file anywhere on the way would fail to load.
  const child = spawn(process.execPath, [main, 'start', '-c', config, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  try {
    const gateway = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', () => {
        const m = /gateway listening on (http:\/\/[\d.:]+)/.exec(output);
        if (m) resolve(m[1]);
      });
      child.once('exit', (code) => reject(new Error(`the built gateway exited (${code}):\n${output}`)));
    });

    const ok = await fetch(`${gateway}/orders`);
    assert.equal(ok.status, 200);
    await ok.arrayBuffer();
    const blocked = await fetch(`${gateway}/orders?q=${encodeURIComponent("1' UNION SELECT password FROM users--")}`);
    assert.equal(blocked.status, 403);
    assert.equal((await blocked.json()).code, 'waf.blocked');
    const blockedId = blocked.headers.get('x-request-id')!;

    // The call log is written by the worker thread: the block is there once it has flushed.
    let logs = '';
    for (let i = 0; i < 50 && !logs.includes(blockedId); i++) {
      await new Promise((r) => setTimeout(r, 100));
      logs = (await run(process.execPath, [main, 'logs', '-c', config])).stdout;
    }
    assert.match(logs, new RegExp(`${blockedId} +GET +/orders +403 +waf\\.blocked`));
  } finally {
    child.kill('SIGKILL');
    await upstream.close();
  }
});
