// Key management over the admin API of a gateway started like `pinpoint start`.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ADMIN_TOKEN, startPinpointDir, type PinpointDir } from './helpers/pinpoint-dir.ts';

let p: PinpointDir;
before(async () => {
  p = await startPinpointDir();
});
after(() => p.close());

function admin(path: string, init: { method?: string; body?: unknown; raw?: string; type?: string; token?: string } = {}): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${init.token ?? ADMIN_TOKEN}` };
  const body = init.raw ?? (init.body === undefined ? undefined : JSON.stringify(init.body));
  if (body !== undefined) headers['content-type'] = init.type ?? 'application/json';
  return fetch(p.adminUrl + path, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, body });
}

const orders = (key: string) => fetch(`${p.url}/orders`, { headers: { 'x-api-key': key } }).then(async (r) => (await r.arrayBuffer(), r.status));

async function problem(res: Response, status: number, code: string): Promise<{ detail: string; errors?: string[] }> {
  assert.equal(res.status, status);
  assert.equal(res.headers.get('content-type'), 'application/problem+json');
  const body = (await res.json()) as { code: string; detail: string; errors?: string[] };
  assert.equal(body.code, code);
  return body;
}

test('POST /keys answers 201 with the plain key once; the gateway accepts it at once; GET never shows it', async () => {
  const res = await admin('/keys', { body: { consumer: 'acme-app', scopes: ['orders:read'], expiresInDays: 7, name: 'partner sync' } });
  assert.equal(res.status, 201);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  const created = (await res.json()) as { key: string; id: string; label: string; status: string; createdBy: string; warning: string; expiresAt: string };
  assert.equal(res.headers.get('location'), `/keys/${created.id}`);
  assert.match(created.key, /^pk_[0-9A-Za-z]{48}$/);
  assert.equal(created.status, 'active');
  assert.equal(created.createdBy, 'admin-api');
  assert.match(created.warning, /only time the key is shown/);
  assert.ok(Math.abs(Date.parse(created.expiresAt) - (Date.now() + 7 * 86_400_000)) < 60_000);
  // Created in the gateway's own process: the index has it without waiting.
  assert.equal(await orders(created.key), 200);

  const one = await admin(`/keys/${created.id}`);
  assert.equal(one.status, 200);
  const listed = await (await admin('/keys?consumer=acme-app')).text();
  const shown = JSON.stringify(await one.json()) + listed;
  assert.ok(shown.includes(created.id));
  assert.ok(!shown.includes(created.key.slice(13)), 'the secret is never shown again');
  assert.ok(!shown.includes('"hash"'));
  const other = (await (await admin('/keys?consumer=acme-batch')).json()) as { keys: Array<{ id: string }> };
  assert.ok(!other.keys.some((k) => k.id === created.id));
});

test('rotate then revoke through the admin API, each in the audit log with actor admin-api', async () => {
  const created = (await (await admin('/keys', { body: { consumer: 'acme-batch', scopes: [] } })).json()) as { key: string; id: string };
  const res = await admin(`/keys/${created.id}/rotate`, { body: { overlapHours: 1 } });
  assert.equal(res.status, 201);
  const rotated = (await res.json()) as { key: string; id: string; previous: { replacedBy: string; expiresAt: string } };
  assert.equal(rotated.previous.replacedBy, rotated.id);
  assert.ok(Math.abs(Date.parse(rotated.previous.expiresAt) - (Date.now() + 3_600_000)) < 60_000);
  assert.equal(await orders(created.key), 200, 'the old key works during the overlap');
  assert.equal(await orders(rotated.key), 200);
  await problem(await admin(`/keys/${created.id}/rotate`, { body: { overlapHours: 1 } }), 409, 'admin.key_conflict');

  const revoked = await admin(`/keys/${rotated.id}/revoke`, { body: { reason: 'partner offboarded' } });
  assert.equal(revoked.status, 200);
  assert.equal(((await revoked.json()) as { status: string }).status, 'revoked');
  assert.equal(await orders(rotated.key), 401);
  const again = await problem(await admin(`/keys/${rotated.id}/revoke`, { body: { reason: 'x' } }), 409, 'admin.key_conflict');
  assert.match(again.detail, /already revoked/);

  const audit = (await (await admin(`/audit?key=${rotated.id}`)).json()) as { entries: Array<{ action: string; actor: string; details: Record<string, unknown> }> };
  assert.deepEqual(audit.entries.map((e) => [e.action, e.actor]), [['revoke', 'admin-api'], ['create', 'admin-api']]);
  assert.equal(audit.entries[0].details.reason, 'partner offboarded');
  const recent = (await (await admin('/audit?since=1h&limit=2')).json()) as { count: number };
  assert.equal(recent.count, 2);
});

test('bodies are checked: unknown consumer names the known ones; bad fields, JSON and content type are 400s', async () => {
  const unknown = await problem(await admin('/keys', { body: { consumer: 'ghost', scopes: [] } }), 400, 'admin.bad_request');
  assert.match(unknown.detail, /Unknown consumer "ghost"; the config declares: acme-app, acme-batch/);
  const many = await problem(await admin('/keys', { body: { consumer: 'acme-app', scopes: ['a b'], expiresInDays: -1, name: '' } }), 400, 'admin.bad_request');
  assert.equal(many.errors?.length, 3, JSON.stringify(many.errors));
  const extra = await problem(await admin('/keys', { body: { consumer: 'acme-app', scopes: [], owner: 'me' } }), 400, 'admin.bad_request');
  assert.match(extra.detail, /owner/);
  await problem(await admin('/keys', { body: { consumer: 'acme-app' } }), 400, 'admin.bad_request');
  await problem(await admin('/keys', { raw: '{"consumer":' }), 400, 'admin.bad_request');
  await problem(await admin('/keys', { raw: 'consumer=acme-app', type: 'application/x-www-form-urlencoded' }), 400, 'admin.bad_request');
  const overlap = await problem(await admin('/keys/AAAAAAAAAA/rotate', { body: { overlapHours: 10_000 } }), 400, 'admin.bad_request');
  assert.match(overlap.detail, /overlap is 0 to 720 hours/i);
  await problem(await admin('/keys/AAAAAAAAAA/revoke', { body: { reason: '' } }), 400, 'admin.bad_request');
});

test('unknown keys are 404, wrong methods 405 with Allow, and every key endpoint needs the admin token', async () => {
  await problem(await admin('/keys/AAAAAAAAAA'), 404, 'admin.key_not_found');
  await problem(await admin('/keys/AAAAAAAAAA/revoke', { body: { reason: 'r' } }), 404, 'admin.key_not_found');
  const whole = await problem(await admin(`/keys/pk_${'A'.repeat(48)}`), 404, 'admin.key_not_found');
  assert.match(whole.detail, /whole key/);
  const del = await admin('/keys/AAAAAAAAAA', { method: 'DELETE' });
  await problem(del, 405, 'admin.method_not_allowed');
  assert.equal(del.headers.get('allow'), 'GET, HEAD');
  const get = await admin('/keys/AAAAAAAAAA/rotate');
  await problem(get, 405, 'admin.method_not_allowed');
  assert.equal(get.headers.get('allow'), 'POST');
  for (const path of ['/keys', '/keys/AAAAAAAAAA', '/audit']) {
    await problem(await admin(path, { token: 'wrong-token' }), 401, 'admin.unauthorized');
  }
  const noKey = await admin('/keys', { body: { consumer: 'acme-app', scopes: [] }, token: 'wrong-token' });
  await problem(noKey, 401, 'admin.unauthorized');
  const all = (await (await admin('/keys')).json()) as { keys: unknown[] };
  assert.equal(all.keys.length, 3, 'the refused create created nothing');
});
