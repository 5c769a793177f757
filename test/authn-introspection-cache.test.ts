import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startGateway, startUpstream, type TestGateway, type Upstream } from './helpers/servers.ts';

// A minimal RFC 7662 endpoint of our own, to see exactly what the gateway sends and to
// answer what a real server rarely does (short exp, broken answers).
let upstream: Upstream;
let endpoint: Upstream;
let gw: TestGateway;
const SECRET = 'sécret with spaces:and colon';

before(async () => {
  process.env.PINPOINT_TEST_OWN_INTROSPECTION_SECRET = SECRET;
  upstream = await startUpstream();
  endpoint = await startUpstream((_req, res, body) => {
    const token = new URLSearchParams(body).get('token') ?? '';
    const now = Math.floor(Date.now() / 1000);
    res.setHeader('content-type', 'application/json');
    // exp is whole seconds: now + 2 leaves between 1 and 2 s, room for two calls on a slow machine.
    if (token === 'short-lived') return res.end(JSON.stringify({ active: true, client_id: 'svc', sub: 'svc-user', exp: now + 2, scope: 'a b' }));
    if (token === 'long-lived') return res.end(JSON.stringify({ active: true, client_id: 'svc', jti: 'j-long', exp: now + 3600 }));
    if (token === 'no-active') return res.end(JSON.stringify({ client_id: 'svc' }));
    if (token === 'not-json') return res.end('<html>');
    if (token === 'no-client') return res.end(JSON.stringify({ active: true, sub: 'x' }));
    res.end(JSON.stringify({ active: false }));
  });
  gw = await startGateway(`
services:
  api: { upstreams: [{ url: "${upstream.url}" }] }
authn:
  introspection:
    own: { endpoint: "${endpoint.url}/introspect", clientId: "gate way", clientSecretEnv: PINPOINT_TEST_OWN_INTROSPECTION_SECRET, cacheTtlS: 60 }
routes:
  - { id: r, service: api, paths: [/r], authn: [introspection:own] }
`);
});
after(async () => {
  await gw.close();
  await upstream.close();
  await endpoint.close();
});

async function call(token: string) {
  const res = await fetch(`${gw.url}/r`, { headers: { authorization: `Bearer ${token}` } });
  const body = (await res.json()) as Record<string, unknown>;
  return { res, body, stored: (await gw.reader()).get(res.headers.get('x-request-id')!)! };
}

test('the gateway POSTs the token as a form with client_secret_basic (id and secret form-encoded)', async () => {
  const before = endpoint.seen.length;
  const { res, stored } = await call('long-lived');
  assert.equal(res.status, 200);
  const sent = endpoint.seen[before];
  assert.equal(sent.method, 'POST');
  assert.equal(sent.url, '/introspect');
  assert.equal(sent.headers['content-type'], 'application/x-www-form-urlencoded');
  assert.deepEqual(Object.fromEntries(new URLSearchParams(sent.body)), { token: 'long-lived', token_type_hint: 'access_token' });
  const [id, secret] = Buffer.from(String(sent.headers.authorization).slice('Basic '.length), 'base64').toString().split(':');
  assert.equal(decodeURIComponent(id.replace(/\+/g, ' ')), 'gate way');
  assert.equal(decodeURIComponent(secret.replace(/\+/g, ' ')), SECRET);
  assert.equal(stored.decision.credential, 'jti:j-long');
  assert.equal(stored.consumer, 'introspection:own:svc');
});

test('an active answer is reused no longer than the token\'s exp, even with a longer cacheTtlS', async () => {
  const count = () => endpoint.seen.filter((s) => s.body.includes('short-lived')).length;
  assert.equal((await call('short-lived')).res.status, 200);
  assert.equal((await call('short-lived')).res.status, 200);
  assert.equal(count(), 1, 'the second request was a cache hit');
  await new Promise((r) => setTimeout(r, 2100));
  await call('short-lived');
  assert.equal(count(), 2, 'asked again once the token\'s exp passed');
});

test('answers that are not RFC 7662 answers fail closed with 503, saying why', async () => {
  const noActive = await call('no-active');
  assert.equal(noActive.res.status, 503);
  assert.match(noActive.stored.decision.detail!, /not a JSON object with a boolean active member/);
  const notJson = await call('not-json');
  assert.equal(notJson.res.status, 503);
  assert.match(notJson.stored.decision.detail!, /not JSON/);
});

test('an active answer without the consumer member is refused, and the operator is told which setting to fix', async () => {
  const { res, body, stored } = await call('no-client');
  assert.equal(res.status, 401);
  assert.equal(body.code, 'authn.token_malformed');
  assert.equal(stored.decision.fixes.some((f) => f.who === 'operator' && f.action.includes('authn.introspection.own.consumerClaim')), true);
});
