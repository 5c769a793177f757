// What the operator reads about API key requests: the call log holds no key, and `pinpoint why`
// (the real CLI, as a child process) names the key that was tried and why it failed.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { runCli } from '../src/cli/run-cli.ts';
import { generateKey } from '../src/layers/authn/api-key/format.ts';
import { startKeyWorld, type KeyWorld } from './helpers/apikey-gateway.ts';

let w: KeyWorld;
before(async () => {
  w = await startKeyWorld();
});
after(() => w.close());

const send = (path: string, headers: Record<string, string>) => fetch(w.gw.url + path, { headers });

test('the plain key never reaches the call log file, whichever way it was sent and whatever the outcome', async () => {
  const valid = await w.key();
  const revoked = await w.key();
  await w.store.revokeKey(revoked.id, 'test', 'test');
  const unknown = generateKey().key;
  const typo = valid.key.slice(0, -1) + (valid.key.endsWith('a') ? 'b' : 'a');
  const sent = [valid.key, revoked.key, unknown, typo];
  const responses: Response[] = [];
  for (const key of sent) {
    responses.push(await send('/orders', { 'x-api-key': key }));
    responses.push(await send('/orders', { authorization: `Bearer ${key}` }));
    responses.push(await send(`/export?api_key=${key}`, {}));
    responses.push(await send(`/orders?api_key=${key}`, {}));
  }
  assert.deepEqual(
    responses.map((r) => r.status),
    [200, 200, 200, 401, ...Array(12).fill(401)],
  );
  for (const r of responses) await w.logged(r);
  const bytes = Buffer.concat([w.gw.logFile, `${w.gw.logFile}-wal`].filter(existsSync).map((f) => readFileSync(f)));
  assert.ok(bytes.includes(Buffer.from(`pk_${valid.id}`)), 'the key label is logged (the search can find text)');
  for (const key of sent) {
    assert.ok(!bytes.includes(Buffer.from(key)), 'a whole key is in the call log');
    assert.ok(!bytes.includes(Buffer.from(key.slice(13, 45))), 'a key secret is in the call log');
  }
});

test('pinpoint why names the key that was tried and why it failed: revoked, with when and why', async () => {
  const { key, id } = await w.key();
  await w.store.revokeKey(id, 'laptop stolen', 'test');
  const res = await send('/orders', { 'x-api-key': key });
  assert.equal(res.status, 401);
  await w.logged(res);
  const out = await runCli(['why', res.headers.get('x-request-id')!, '--db', w.gw.logFile]);
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stdout, /DENIED 401 authn\.key_revoked/);
  assert.match(out.stdout, /The API key was revoked/);
  assert.ok(out.stdout.includes(`pk_${id}…`), 'the key label');
  assert.match(out.stdout, /revoked at \d{4}-\d\d-\d\dT[^:]+:\d\d:\d\d\.\d{3}Z: laptop stolen/);
  assert.match(out.stdout, /header:x-api-key/);
  assert.match(out.stdout, /pinpoint keys create --consumer acme-app/, 'the fix for the key owner');
  assert.ok(!out.stdout.includes(key.slice(13, 45)), 'never the secret');
});

test('pinpoint why of an accepted key shows the consumer and the key label; of an unknown key, the label tried', async () => {
  const { key, id } = await w.key();
  const ok = await send('/orders', { 'x-api-key': key });
  assert.equal(ok.status, 200);
  await w.logged(ok);
  let out = await runCli(['why', ok.headers.get('x-request-id')!, '--db', w.gw.logFile]);
  assert.match(out.stdout, /ALLOWED 200/);
  assert.match(out.stdout, /consumer\s+acme-app \(tenant acme\)/);
  assert.ok(out.stdout.includes(`credential  pk_${id}…`) || new RegExp(`credential\\s+pk_${id}…`).test(out.stdout));

  const unknown = generateKey();
  const bad = await send('/orders', { authorization: `Bearer ${unknown.key}` });
  assert.equal(bad.status, 401);
  await w.logged(bad);
  out = await runCli(['why', bad.headers.get('x-request-id')!, '--db', w.gw.logFile]);
  assert.match(out.stdout, /authn\.key_unknown/);
  assert.ok(out.stdout.includes(`no key pk_${unknown.id}… is stored`));
  assert.match(out.stdout, /header:Authorization/);
});

test('a refused key is named in the call log: a revoked or expired key with its consumer and tenant, an unknown key by label only', async () => {
  const revoked = await w.key();
  await w.store.revokeKey(revoked.id, 'test', 'test');
  const expired = await w.key('acme-app', { expiresAt: Date.now() - 1000 });
  const unknown = generateKey();
  const calls = [];
  for (const key of [revoked.key, expired.key, unknown.key]) {
    const res = await send('/orders', { 'x-api-key': key });
    assert.equal(res.status, 401);
    calls.push(await w.logged(res));
  }
  const [r, e, u] = calls;
  assert.equal(r.decision.code, 'authn.key_revoked');
  assert.equal(r.decision.credential, `pk_${revoked.id}…`);
  assert.equal(r.decision.consumer, 'acme-app');
  assert.equal(r.consumer, 'acme-app', 'the call log row names the consumer (filterable)');
  assert.equal(r.tenant, 'acme');
  assert.equal(e.decision.code, 'authn.key_expired');
  assert.equal(e.decision.credential, `pk_${expired.id}…`);
  assert.equal(e.consumer, 'acme-app');
  assert.equal(u.decision.code, 'authn.key_unknown');
  assert.equal(u.decision.credential, `pk_${unknown.id}…`);
  assert.equal(u.consumer, undefined, 'an unknown key resolves to nobody');
  const out = await runCli(['why', r.requestId, '--db', w.gw.logFile]);
  assert.match(out.stdout, /consumer\s+acme-app/);
  assert.ok(new RegExp(`credential\\s+pk_${revoked.id}…`).test(out.stdout), out.stdout);
});
