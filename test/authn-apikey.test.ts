// API keys end to end: a real gateway, a real store file, a real upstream.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { generateKey } from '../src/layers/authn/api-key/format.ts';
import { startKeyWorld, type KeyWorld } from './helpers/apikey-gateway.ts';

let w: KeyWorld;
before(async () => {
  w = await startKeyWorld();
});
after(() => w.close());

const CHALLENGE = 'ApiKey realm="pinpoint", header="x-api-key"';

function call(path: string, headers: HeadersInit = {}, method = 'GET'): Promise<Response> {
  return fetch(w.gw.url + path, { method, headers });
}

async function refused(res: Response, status: number, code: string): Promise<Record<string, unknown>> {
  assert.equal(res.status, status);
  assert.equal(res.headers.get('content-type'), 'application/problem+json');
  const body = (await res.json()) as Record<string, unknown>;
  assert.equal(body.code, code);
  return body;
}

test('a valid key in X-API-Key passes; the upstream gets the request but not the key', async () => {
  const { key, id } = await w.key();
  const seen = w.upstream.seen.length;
  const res = await call('/orders', { 'x-api-key': key, 'content-type': 'application/json' }, 'POST');
  assert.equal(res.status, 200);
  const echoed = (await res.json()) as { headers: Record<string, string> };
  assert.equal(w.upstream.seen.length, seen + 1);
  assert.equal(echoed.headers['x-api-key'], undefined, 'the gateway consumed the key: it is not forwarded');
  const logged = await w.logged(res);
  assert.equal(logged.outcome, 'allow');
  assert.equal(logged.consumer, 'acme-app');
  assert.equal(logged.tenant, 'acme');
  assert.equal(logged.decision.credential, `pk_${id}…`);
  assert.equal(logged.requestHeaders['x-api-key'], '[redacted]', 'the call log still shows a key was sent');
});

test('a valid key as Authorization: Bearer passes; other headers still reach the upstream', async () => {
  const { key } = await w.key();
  const res = await call('/orders', { authorization: `Bearer ${key}`, 'x-trace': 't1' });
  assert.equal(res.status, 200);
  const echoed = (await res.json()) as { headers: Record<string, string> };
  assert.equal(echoed.headers.authorization, undefined);
  assert.equal(echoed.headers['x-trace'], 't1');
});

test('no credential: 401 authn.credential_missing with a challenge; public routes stay open', async () => {
  const seen = w.upstream.seen.length;
  const res = await call('/orders');
  const body = await refused(res, 401, 'authn.credential_missing');
  assert.equal(res.headers.get('www-authenticate'), CHALLENGE);
  assert.equal(body.layer, 'authn');
  assert.match(String(body.hint), /requires authentication/);
  assert.equal(w.upstream.seen.length, seen, 'nothing was forwarded');
  assert.equal((await call('/health')).status, 200);
});

test('malformed credentials are authn.credential_malformed, each with its reason in the log', async () => {
  const { key } = await w.key();
  const cases: Array<[HeadersInit, RegExp]> = [
    [{ authorization: `Bearer  ${key}` }, /more than one space/],
    [{ authorization: `Token ${key}` }, /scheme Token/],
    [{ authorization: 'Bearer' }, /no credentials after the scheme/],
    [[['x-api-key', key], ['x-api-key', key]], /not shaped like an API key/],
    [{ 'x-api-key': `"${key}"` }, /not shaped like an API key/],
  ];
  for (const [headers, why] of cases) {
    const res = await call('/orders', headers);
    await refused(res, 401, 'authn.credential_malformed');
    assert.equal(res.headers.get('www-authenticate'), CHALLENGE);
    const logged = await w.logged(res);
    assert.match(logged.decision.detail!, why, JSON.stringify(headers).slice(0, 60));
  }
});

test('a typo is authn.key_checksum_invalid, told apart from an unknown key without a lookup', async () => {
  const { key } = await w.key();
  const i = 20;
  const typo = key.slice(0, i) + (key[i] === 'x' ? 'y' : 'x') + key.slice(i + 1);
  const body = await refused(await call('/orders', { 'x-api-key': typo }), 401, 'authn.key_checksum_invalid');
  assert.match(String(body.hint), /typo/);
});

test('unknown and revoked keys look the same to the caller (authn.key_invalid); the log tells them apart', async () => {
  const unknown = generateKey().key;
  const { key: revoked, id } = await w.key();
  await w.store.revokeKey(id, 'leaked in a ticket', 'test');
  const resUnknown = await call('/orders', { 'x-api-key': unknown });
  const resRevoked = await call('/orders', { 'x-api-key': revoked });
  const a = await refused(resUnknown, 401, 'authn.key_invalid');
  const b = await refused(resRevoked, 401, 'authn.key_invalid');
  const shape = (x: Record<string, unknown>) => ({ ...x, request_id: '', instance: '' });
  assert.deepEqual(shape(a), shape(b), 'same body apart from the request id');
  assert.equal(resUnknown.headers.get('www-authenticate'), resRevoked.headers.get('www-authenticate'));
  const [la, lb] = [await w.logged(resUnknown), await w.logged(resRevoked)];
  assert.equal(la.code, 'authn.key_unknown');
  assert.equal(lb.code, 'authn.key_revoked');
  assert.match(lb.decision.detail!, /revoked at .*: leaked in a ticket/);
});

test('an expired key is authn.key_expired, with the time it expired', async () => {
  const expiresAt = Date.now() - 60_000;
  const { key } = await w.key('acme-app', { expiresAt });
  const body = await refused(await call('/orders', { 'x-api-key': key }), 401, 'authn.key_expired');
  assert.ok(String(body.hint).includes(new Date(expiresAt).toISOString()));
});

test('a rotated key keeps working during the overlap, then expires; its replacement works', async () => {
  const { key: old, id } = await w.key();
  const rotated = await w.store.rotateKey(id, { overlapMs: 400, actor: 'test' });
  assert.equal((await call('/orders', { 'x-api-key': old })).status, 200);
  assert.equal((await call('/orders', { 'x-api-key': rotated.key })).status, 200);
  await new Promise((r) => setTimeout(r, 450));
  await refused(await call('/orders', { 'x-api-key': old }), 401, 'authn.key_expired');
  assert.equal((await call('/orders', { 'x-api-key': rotated.key })).status, 200);
});

test('a key in the query string is refused unless the route opts in; then it is not forwarded', async () => {
  const { key } = await w.key();
  const body = await refused(await call(`/orders?api_key=${key}`), 401, 'authn.key_in_query_not_allowed');
  assert.match(String(body.hint), /not in the URL/);
  const res = await call(`/export?format=csv&api_key=${key}&page=2`);
  assert.equal(res.status, 200);
  const echoed = (await res.json()) as { url: string };
  assert.equal(echoed.url, '/export?format=csv&page=2');
});

test('a suspended consumer is 403 authn.consumer_suspended, without a challenge', async () => {
  const { key } = await w.key('acme-banned');
  const res = await call('/orders', { 'x-api-key': key });
  const body = await refused(res, 403, 'authn.consumer_suspended');
  assert.equal(res.headers.get('www-authenticate'), null);
  assert.match(String(body.hint), /suspended/);
  const logged = await w.logged(res);
  assert.equal(logged.consumer, 'acme-banned');
  assert.match(logged.decision.detail!, /scraping/);
  assert.doesNotMatch(JSON.stringify(body), /scraping/, 'the reason is for the operator');
});

test('a consumer of a suspended tenant is 403 authn.tenant_suspended', async () => {
  const { key } = await w.key('frozen-app');
  const res = await call('/orders', { 'x-api-key': key });
  await refused(res, 403, 'authn.tenant_suspended');
  const logged = await w.logged(res);
  assert.equal(logged.tenant, 'frozen');
  assert.match(logged.decision.detail!, /unpaid invoices/);
});

test('a key in use gets its last-used time, written in the background', async () => {
  const { key, id } = await w.key();
  assert.equal((await w.store.getKey(id))?.lastUsedAt, undefined);
  const t0 = Date.now();
  assert.equal((await call('/orders', { 'x-api-key': key })).status, 200);
  await new Promise((r) => setTimeout(r, 250));
  const used = (await w.store.getKey(id))?.lastUsedAt;
  assert.ok(used !== undefined && used >= t0 && used <= Date.now());
});
