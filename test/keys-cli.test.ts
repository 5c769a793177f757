// `pinpoint keys ...` as real child processes, on the store file of a running gateway.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../src/cli/run-cli.ts';
import { eventually, startPinpointDir, type PinpointDir } from './helpers/pinpoint-dir.ts';

let p: PinpointDir;
before(async () => {
  p = await startPinpointDir();
});
after(() => p.close());

const keys = (...args: string[]) => runCli(['keys', ...args, '-c', p.configPath]);
const status = (key: string) => fetch(`${p.url}/orders`, { headers: { 'x-api-key': key } }).then(async (r) => (await r.arrayBuffer(), r.status));
const ACTOR = `cli:${userInfo().username}`;

test('keys create prints the key once; a running gateway accepts it within a second; list and show never print it', async () => {
  const created = await keys('create', '--consumer', 'acme-app', '--scopes', 'orders:read,orders:write', '--expires-in', '30d', '--name', 'billing job');
  assert.equal(created.code, 0, created.stderr);
  const key = /^\s+(pk_[0-9A-Za-z]{48})$/m.exec(created.stdout)?.[1];
  assert.ok(key, `a key on its own line in:\n${created.stdout}`);
  assert.match(created.stdout, /only time the key is shown/);
  assert.ok(existsSync(join(p.dir, 'data', 'keys.db')), 'store.file is resolved against the config directory');
  const took = await eventually(async () => (await status(key)) === 200, 1500);
  assert.ok(took <= 1200, `accepted after ${took} ms`);

  const id = key.slice(3, 13);
  const [list, listJson, show] = await Promise.all([keys('list'), keys('list', '--json', '--consumer', 'acme-app'), keys('show', `pk_${id}`)]);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /KEY\s+CONSUMER\s+SCOPES\s+STATUS\s+EXPIRES\s+LAST USED/);
  assert.match(list.stdout, new RegExp(`pk_${id}…\\s+acme-app\\s+orders:read,orders:write\\s+active\\s+\\d{4}-`));
  assert.ok(!list.stdout.includes(key.slice(13)), 'list never prints the secret');
  const json = JSON.parse(listJson.stdout) as Array<Record<string, unknown>>;
  const mine = json.find((k) => k.id === id)!;
  assert.equal(mine.name, 'billing job');
  assert.equal(mine.createdBy, ACTOR);
  assert.equal(mine.hash, undefined);
  assert.ok(Date.parse(String(mine.expiresAt)) > Date.now() + 29 * 86_400_000);
  assert.match(show.stdout, /consumer\s+acme-app/);
  assert.ok(!show.stdout.includes(key.slice(13)));
});

test('keys rotate and revoke take effect in the running gateway; audit-log names the OS user', async () => {
  const created = JSON.parse((await keys('create', '--consumer', 'acme-batch', '--scopes', 'orders:read', '--json')).stdout) as { key: string; id: string };
  await eventually(async () => (await status(created.key)) === 200, 1500);

  const rotated = await keys('rotate', created.id, '--overlap', '0h', '--json');
  assert.equal(rotated.code, 0, rotated.stderr);
  const next = JSON.parse(rotated.stdout) as { key: string; id: string; rotatedFrom: string; previous: { status: string } };
  assert.equal(next.rotatedFrom, created.id);
  assert.equal(next.previous.status, 'expired');
  await eventually(async () => (await status(next.key)) === 200 && (await status(created.key)) === 401, 1500);

  const revoked = await keys('revoke', next.id, '--reason', 'contract ended');
  assert.equal(revoked.code, 0, revoked.stderr);
  assert.match(revoked.stdout, /Revoked pk_/);
  await eventually(async () => (await status(next.key)) === 401, 1500);

  const audit = await runCli(['audit-log', '-c', p.configPath, '--key', next.id]);
  assert.equal(audit.code, 0, audit.stderr);
  assert.match(audit.stdout, new RegExp(`${ACTOR}\\s+revoke\\s+pk_${next.id}…\\s+acme-batch\\s+reason: contract ended`));
  assert.match(audit.stdout, new RegExp(`${ACTOR}\\s+create\\s+pk_${next.id}…`));
  const again = await keys('revoke', next.id, '--reason', 'twice');
  assert.equal(again.code, 1);
  assert.match(again.stderr, /already revoked/);
});

test('keys refuses what it must: unknown consumer (naming the known ones), bad scopes, unknown key, a whole key as id', async () => {
  // Independent refusals: run side by side.
  const [consumer, scopes, unknown, whole, duration] = await Promise.all([
    keys('create', '--consumer', 'nobody', '--scopes', 'a'),
    keys('create', '--consumer', 'acme-app', '--scopes', 'has space'),
    keys('show', 'AAAAAAAAAA'),
    keys('show', 'pk_' + 'A'.repeat(48)),
    keys('rotate', 'AAAAAAAAAA', '--overlap', 'soon'),
  ]);
  assert.equal(consumer.code, 1);
  assert.match(consumer.stderr, /Unknown consumer "nobody"; the config declares: acme-app, acme-batch/);
  assert.notEqual(scopes.code, 0);
  assert.match(scopes.stderr, /not a scope token/);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /No key has id AAAAAAAAAA/);
  assert.notEqual(whole.code, 0);
  assert.match(whole.stderr, /looks like a whole key/);
  assert.notEqual(duration.code, 0);
  assert.match(duration.stderr, /expected a duration/);
});
