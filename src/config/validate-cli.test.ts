import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { repoRoot } from './generate.ts';
import { loadConfigText } from './load.ts';

const dir = mkdtempSync(join(tmpdir(), 'pinpoint-validate-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// The command exactly as the CLI registers it, in a child process: real argv, stdout and exit code.
const ENTRY = `import('./src/cli/validate.ts').then((m) => m.validateCommand().parseAsync(process.argv.slice(1), { from: 'user' }))`;

function validate(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', '-e', ENTRY, '--', ...args], { cwd: repoRoot, timeout: 15_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

const GOOD = `services:\n  orders:\n    upstreams:\n      - url: http://127.0.0.1:9000\nroutes:\n  - id: list\n    service: orders\n    paths: [/orders]\n`;
const BAD = `gateway:\n  listen:\n    port: 70000\nservices:\n  orders:\n    upstreams:\n      - url: http://127.0.0.1:9000\nroutes:\n  - id: list\n    service: ordres\n    paths: [/orders]\n`;

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

test('validate prints every error as FILE:LINE:COL  path  message and exits 1', async () => {
  const file = write('bad.yaml', BAD);
  const { code, stdout } = await validate('-c', file);
  assert.equal(code, 1);
  assert.deepEqual(stdout.trimEnd().split('\n'), [
    `${file}:3:11  gateway.listen.port  must be at most 65535 (got 70000)`,
    `${file}:10:14  routes[0].service  service "ordres" is not defined under services (defined: orders); did you mean "orders"?`,
    `${file}: 2 errors`,
  ]);
});

test('validate of a good file prints its revision and counts and exits 0', async () => {
  const file = write('good.yaml', GOOD);
  const { code, stdout } = await validate('-c', file);
  assert.equal(code, 0);
  assert.equal(stdout, `${file}: ok (revision ${loadConfigText(GOOD, file, { env: {} }).revision}, 1 route, 1 service)\n`);
});

test('validate --json gives the errors with line and column', async () => {
  const file = write('bad-json.yaml', BAD);
  const { code, stdout } = await validate('-c', file, '--json');
  assert.equal(code, 1);
  const report = JSON.parse(stdout);
  assert.equal(report.ok, false);
  assert.deepEqual(report.errors[1], { path: ['routes', 0, 'service'], message: 'service "ordres" is not defined under services (defined: orders); did you mean "orders"?', line: 10, column: 14 });
});

test('validate of a file that does not exist says so and exits 1', async () => {
  const { code, stdout } = await validate('-c', join(dir, 'nope.yaml'));
  assert.equal(code, 1);
  assert.match(stdout, /nope\.yaml {2}\(top level\) {2}cannot read the config file: no such file/);
});
