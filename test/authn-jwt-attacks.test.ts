import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { generateKeyPair } from 'jose';
import { after, before, test } from 'node:test';
import { claimsOf, RESOURCE, startKeyServer, unsignedToken, withPayload, type KeyServer } from './helpers/oidc.ts';
import { startGateway, startUpstream, type TestGateway, type Upstream } from './helpers/servers.ts';

let upstream: Upstream;
let gw: TestGateway;
let ks: KeyServer;
let flaky: KeyServer;
let closedPort: number;

/** A port nothing listens on: bound, then released. */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

before(async () => {
  upstream = await startUpstream();
  ks = await startKeyServer();
  flaky = await startKeyServer();
  flaky.status = 500;
  closedPort = await freePort();
  gw = await startGateway(`
services:
  api: { upstreams: [{ url: "${upstream.url}" }] }
authn:
  jwt:
    own: { issuer: "${ks.issuer}", jwksUri: "${ks.jwksUri}", audiences: ["${RESOURCE}"], clockSkewS: 5, jwksRefreshMinMs: 0 }
    down: { issuer: "https://down.example.test", jwksUri: "http://127.0.0.1:${closedPort}/jwks", audiences: ["${RESOURCE}"] }
    flaky: { issuer: "${flaky.issuer}", jwksUri: "${flaky.jwksUri}", audiences: ["${RESOURCE}"] }
routes:
  - { id: orders, service: api, paths: [/orders], authn: [jwt:own] }
  - { id: down, service: api, paths: [/down], authn: [jwt:down] }
  - { id: flaky, service: api, paths: [/flaky], authn: [jwt:flaky] }
  - { id: mixed, service: api, paths: [/mixed], authn: [apiKey, jwt:own] }
`);
});
after(async () => {
  await gw.close();
  await upstream.close();
  await ks.close();
  await flaky.close();
});

async function call(token: string, path = '/orders') {
  const seen = upstream.seen.length;
  const res = await fetch(gw.url + path, { headers: { authorization: `Bearer ${token}` } });
  const body = (await res.json()) as Record<string, unknown>;
  const reached = upstream.seen.length > seen;
  return { res, body, reached, challenge: res.headers.get('www-authenticate') };
}

/** A 401 the upstream never saw, with the RFC 6750 challenge and without the token anywhere. */
async function refused(token: string, code: string, path = '/orders') {
  const r = await call(token, path);
  assert.equal(r.res.status, 401, `${code}: ${JSON.stringify(r.body)}`);
  assert.equal(r.body.code, code);
  assert.equal(r.reached, false);
  assert.match(r.challenge ?? '', /^Bearer realm="pinpoint", error="invalid_token", error_description="[^"\\]+"$/);
  // The signature part, when long enough not to occur by chance in a random request id.
  const secretPart = token.split('.')[2] || token;
  if (secretPart.length >= 16) assert.equal(JSON.stringify(r.body).includes(secretPart), false, 'the token is never echoed');
  assert.equal(JSON.stringify(r.body).includes(token), false, 'the token is never echoed');
  const stored = (await gw.reader()).get(r.res.headers.get('x-request-id')!)!;
  assert.equal(stored.decision.code, code);
  assert.equal(JSON.stringify(stored.decision).includes(token), false, 'the token is never logged in the decision');
  return { ...r, decision: stored.decision };
}

test('a token signed by the issuer passes and reaches the upstream', async () => {
  const r = await call(await ks.sign({ jti: 'ok-1' }));
  assert.equal(r.res.status, 200);
  assert.equal(r.reached, true);
});

test('alg none is refused as an algorithm that is never accepted', async () => {
  const now = Math.floor(Date.now() / 1000);
  const { decision } = await refused(unsignedToken({ iss: ks.issuer, aud: RESOURCE, sub: 'x', exp: now + 300 }), 'authn.token_algorithm_not_allowed');
  assert.deepEqual(decision.evidence[0], { where: 'token-header:alg', expected: 'RS256, ES256', observed: 'none' });
});

test('HS256 signed with the issuer\'s RSA public key as the secret is refused', async () => {
  const token = await ks.sign({}, { alg: 'HS256', key: new TextEncoder().encode(ks.publicKeyPem) });
  const { decision } = await refused(token, 'authn.token_algorithm_not_allowed');
  assert.match(decision.detail!, /HS256.*none and HMAC are never accepted/);
});

test('an asymmetric algorithm outside the issuer\'s list is refused', async () => {
  const { privateKey } = await generateKeyPair('ES384');
  const { decision } = await refused(await ks.sign({}, { alg: 'ES384', key: privateKey }), 'authn.token_algorithm_not_allowed');
  assert.equal(decision.evidence[0].observed, 'ES384');
});

test('a kid that is not in the set: the JWKS is refetched, then the token is refused', async () => {
  const before = ks.counts.jwks;
  const { decision } = await refused(await ks.sign({ jti: 'ghost-1' }, { kid: 'ghost', key: ks.strangerKey }), 'authn.token_signature_invalid');
  assert.equal(ks.counts.jwks, before + 1, 'one refetch for the unknown kid');
  assert.match(decision.detail!, /kid ghost .*after refetching the JWKS/);
  assert.equal(decision.credential, 'jti:ghost-1', 'the refused token is named by its label');
  assert.equal(decision.consumer, undefined, 'an unverified token resolves to nobody');
});

test('a token signed by another key under a published kid is refused (forged signature)', async () => {
  await refused(await ks.sign({}, { key: ks.strangerKey }), 'authn.token_signature_invalid');
});

test('a tampered payload is refused (signature no longer matches)', async () => {
  const token = await ks.sign({ scope: 'orders:read', jti: 't-1' });
  const { decision } = await refused(withPayload(token, { ...claimsOf(token), scope: 'orders:read admin' }), 'authn.token_signature_invalid');
  assert.match(decision.detail!, /token jti:t-1: the signature does not match/);
});

test('an expired token is refused, saying when it expired', async () => {
  const exp = Math.floor(Date.now() / 1000) - 3600;
  const { body, decision } = await refused(await ks.sign({ exp, iat: exp - 300 }), 'authn.token_expired');
  const when = new Date(exp * 1000).toISOString();
  assert.match(String(body.hint), new RegExp(`expired at ${when}`));
  assert.equal(decision.evidence[0].where, 'claim:exp');
  assert.equal(decision.evidence[0].observed, when);
  // The signature checked out before the claim was refused: the operator's record names who it was.
  assert.equal(decision.consumer, 'jwt:own:orders-app');
});

test('a token expired within the clock skew still passes', async () => {
  const r = await call(await ks.sign({ exp: Math.floor(Date.now() / 1000) - 2 }));
  assert.equal(r.res.status, 200);
});

test('a token whose nbf is in the future is refused as not yet valid (retryable)', async () => {
  const { body } = await refused(await ks.sign({ nbf: Math.floor(Date.now() / 1000) + 3600 }), 'authn.token_not_yet_valid');
  assert.equal(body.retryable, true);
});

test('a token for another audience is refused, naming the expected one', async () => {
  const { decision } = await refused(await ks.sign({ aud: 'https://other-api.example.test' }), 'authn.token_audience_invalid');
  assert.deepEqual(decision.evidence[0], { where: 'claim:aud', expected: RESOURCE, observed: 'https://other-api.example.test' });
});

test('a token from another issuer is refused, even when signed with a published key', async () => {
  const { decision } = await refused(await ks.sign({ iss: 'https://evil.example.test' }), 'authn.token_issuer_invalid');
  assert.deepEqual(decision.evidence[0], { where: 'claim:iss', expected: ks.issuer, observed: 'https://evil.example.test' });
});

test('malformed tokens are told apart from bad signatures', async () => {
  await refused('abc.!!!.def', 'authn.token_malformed');
  await refused(`${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from('[1,2]').toString('base64url')}.c2ln`, 'authn.token_malformed');
  const noExp = await ks.sign({ exp: undefined });
  const { decision } = await refused(noExp, 'authn.token_malformed');
  assert.match(decision.detail!, /no exp claim/);
});

test('on a route that also takes API keys, the Bearer challenge carries the error and the ApiKey challenge stays', async () => {
  const r = await call(await ks.sign({ aud: 'https://other-api.example.test' }), '/mixed');
  assert.equal(r.res.status, 401);
  assert.match(r.challenge!, /^ApiKey realm="pinpoint", header="x-api-key", Bearer realm="pinpoint", error="invalid_token", error_description="/);
});

test('a JWKS endpoint that cannot be reached fails closed: 503 issuer_unavailable, retryable, no challenge', async () => {
  const token = await ks.sign({ iss: 'https://down.example.test' });
  const r = await call(token, '/down');
  assert.equal(r.res.status, 503);
  assert.equal(r.body.code, 'authn.issuer_unavailable');
  assert.equal(r.body.retryable, true);
  assert.equal(r.reached, false);
  assert.equal(r.challenge, null);
  const stored = (await gw.reader()).get(r.res.headers.get('x-request-id')!)!;
  assert.match(stored.decision.detail!, new RegExp(`could not be fetched from http://127.0.0.1:${closedPort}/jwks`));
  assert.equal(stored.decision.denyKind, 'dependency_failed');
});

test('a JWKS endpoint answering 500 fails closed, then recovers once it answers', async () => {
  const token = await ks.sign({ iss: flaky.issuer });
  const first = await call(token, '/flaky');
  assert.equal(first.res.status, 503);
  assert.equal(first.body.code, 'authn.issuer_unavailable');
  flaky.status = 200;
  const second = await call(await flaky.sign({}), '/flaky');
  assert.equal(second.res.status, 200);
  assert.equal(second.reached, true);
});
