import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfigText, type LoadedConfig } from './load.ts';
import { watchConfig, type WatchOptions } from './watch.ts';

const dir = mkdtempSync(join(tmpdir(), 'pinpoint-watch-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const configWithPort = (port: number) => `gateway:\n  listen:\n    port: ${port}\nservices:\n  orders:\n    upstreams: [{ url: "http://127.0.0.1:9000" }]\nroutes:\n  - { id: a, service: orders, paths: [/a] }\n`;
const revisionOf = (text: string) => loadConfigText(text, 'x', { env: {} }).revision;

let n = 0;
/** A watched config file and every load and error reported for it. */
function watched(initial: string, opts: WatchOptions = {}) {
  const file = join(dir, `pinpoint-${++n}.yaml`);
  writeFileSync(file, initial);
  const loads: LoadedConfig[] = [];
  const errors: Error[] = [];
  const waiters: Array<() => void> = [];
  const notify = () => waiters.splice(0).forEach((w) => w());
  const watcher = watchConfig(
    file,
    (l) => {
      loads.push(l);
      notify();
    },
    (e) => {
      errors.push(e);
      notify();
    },
    { env: {}, ...opts },
  );
  /** Resolves once `check` holds, failing after `ms`. */
  const until = async (check: () => boolean, ms = 3000) => {
    const deadline = Date.now() + ms;
    while (!check()) {
      const left = deadline - Date.now();
      assert.ok(left > 0, `timed out; loads=${loads.length} errors=${errors.map((e) => e.message).join(' | ')}`);
      await Promise.race([new Promise<void>((r) => waiters.push(r)), sleep(Math.min(left, 200))]);
    }
  };
  return { file, loads, errors, until, close: () => watcher.close() };
}

test('a changed file is loaded with its new revision', async () => {
  const w = watched(configWithPort(8080));
  try {
    writeFileSync(w.file, configWithPort(8090));
    await w.until(() => w.loads.length === 1);
    assert.equal(w.loads[0].revision, revisionOf(configWithPort(8090)));
    assert.equal(w.loads[0].config.gateway.listen.port, 8090);
    assert.deepEqual(w.errors, []);
  } finally {
    w.close();
  }
});

test('a broken file is reported and not loaded; the next good one is', async () => {
  const w = watched(configWithPort(8080));
  try {
    writeFileSync(w.file, configWithPort(8080).replace('port: 8080', 'port: 99999'));
    await w.until(() => w.errors.length === 1);
    assert.match(w.errors[0].message, /:3:11 {2}gateway\.listen\.port {2}must be at most 65535/);
    await sleep(300);
    assert.equal(w.loads.length, 0);
    writeFileSync(w.file, configWithPort(8091));
    await w.until(() => w.loads.length === 1);
    assert.equal(w.loads[0].config.gateway.listen.port, 8091);
  } finally {
    w.close();
  }
});

test('a rewrite that gives the same revision is not reloaded', async () => {
  const w = watched(configWithPort(8080));
  try {
    writeFileSync(w.file, reordered());
    await sleep(300);
    // A signal forces a reload attempt whatever the file events did.
    if (process.platform !== 'win32') process.kill(process.pid, 'SIGHUP');
    await sleep(200);
    assert.equal(w.loads.length, 0);
    assert.deepEqual(w.errors, []);
    // The watcher is still live: a real change is picked up.
    writeFileSync(w.file, configWithPort(8092));
    await w.until(() => w.loads.length === 1);
  } finally {
    w.close();
  }
});

/** configWithPort(8080) with its sections in another order and a comment. */
function reordered(): string {
  return `# same meaning\nroutes:\n  - { id: a, service: orders, paths: [/a] }\nservices:\n  orders:\n    upstreams: [{ url: "http://127.0.0.1:9000" }]\ngateway:\n  listen: { port: 8080 }\n`;
}

test('an editor that saves by renaming a new file over the old one', async () => {
  const w = watched(configWithPort(8080));
  try {
    const tmp = join(dir, '.pinpoint-save.tmp');
    writeFileSync(tmp, configWithPort(8093));
    renameSync(tmp, w.file);
    await w.until(() => w.loads.length === 1);
    assert.equal(w.loads[0].config.gateway.listen.port, 8093);
    // Again: the watch survives the first replacement.
    writeFileSync(tmp, configWithPort(8094));
    renameSync(tmp, w.file);
    await w.until(() => w.loads.length === 2);
    assert.equal(w.loads[1].config.gateway.listen.port, 8094);
  } finally {
    w.close();
  }
});

test('an editor that deletes the file and writes it again a moment later', async () => {
  const w = watched(configWithPort(8080));
  try {
    unlinkSync(w.file);
    await sleep(150);
    writeFileSync(w.file, configWithPort(8095));
    await w.until(() => w.loads.length === 1);
    assert.equal(w.loads[0].config.gateway.listen.port, 8095);
    assert.deepEqual(w.errors, []);
  } finally {
    w.close();
  }
});

test('SIGHUP reloads the file; close() removes the handler', { skip: process.platform === 'win32' }, async () => {
  const before = process.listenerCount('SIGHUP');
  // A debounce longer than the test: only the signal can cause the reload.
  const w = watched(configWithPort(8080), { debounceMs: 60_000 });
  try {
    assert.equal(process.listenerCount('SIGHUP'), before + 1);
    writeFileSync(w.file, configWithPort(8096));
    await sleep(100);
    assert.equal(w.loads.length, 0);
    process.kill(process.pid, 'SIGHUP');
    await w.until(() => w.loads.length === 1);
    assert.equal(w.loads[0].config.gateway.listen.port, 8096);
  } finally {
    w.close();
  }
  assert.equal(process.listenerCount('SIGHUP'), before);
});

test('the revision already serving can be given, so a file changed before the watch began is loaded', { skip: process.platform === 'win32' }, async () => {
  const w = watched(configWithPort(8097), { currentRevision: revisionOf(configWithPort(8080)), debounceMs: 60_000 });
  try {
    process.kill(process.pid, 'SIGHUP');
    await w.until(() => w.loads.length === 1);
    assert.equal(w.loads[0].config.gateway.listen.port, 8097);
  } finally {
    w.close();
  }
});
