import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ConfigSchema } from '../src/config/schema.ts';
import { identityFromClaims } from '../src/layers/authn/jwt/claims.ts';
import { decodeToken, looksLikeJwt } from '../src/layers/authn/jwt/decode.ts';
import { JwtVerifiers } from '../src/layers/authn/jwt/index.ts';
import { TokenCache } from '../src/layers/authn/jwt/token-cache.ts';
import { isDenial, type Identity, type Presented } from '../src/layers/authn/types.ts';
import { claimsOf, RESOURCE, startKeyServer, withPayload, type KeyServer } from './helpers/oidc.ts';

let ks: KeyServer;
let verifiers: JwtVerifiers;

before(async () => {
  ks = await startKeyServer();
  const config = ConfigSchema.parse({ authn: { jwt: { own: { issuer: ks.issuer, jwksUri: ks.jwksUri, audiences: [RESOURCE], scopeClaims: ['scope', 'scp'], rolesClaim: 'realm_access.roles' } } } });
  verifiers = new JwtVerifiers(config, () => (s) => (s === 'declared-app' ? s : undefined));
});
after(() => ks.close());

const bearer = (value: string): Presented => ({ kind: 'bearer', value, where: 'header:Authorization' });

test('a verified token is answered from the cache, synchronously, as a fresh copy', async () => {
  const v = verifiers.verifier('jwt:own')!;
  const token = await ks.sign({ sub: 'declared-app', jti: 'c-1' });
  const first = v.verify(bearer(token));
  assert.ok(first instanceof Promise, 'the first check verifies the signature');
  const identity = (await first) as Identity;
  assert.equal(isDenial(identity), false);
  identity.roles = ['changed by the directory'];
  const second = v.verify(bearer(token));
  assert.equal(second instanceof Promise, false, 'the repeat is a cache hit');
  assert.deepEqual((second as Identity).roles, [], 'a mutation of an earlier identity does not leak into the cache');
  assert.equal((second as Identity).consumer, 'declared-app');
  assert.equal((second as Identity).credential, 'jti:c-1');
});

test('a tampered copy of a cached token is not a cache hit', async () => {
  const v = verifiers.verifier('jwt')!;
  const token = await ks.sign({ jti: 'c-2' });
  assert.equal(isDenial((await v.verify(bearer(token))) as Identity), false);
  const tampered = withPayload(token, { ...claimsOf(token), sub: 'admin' });
  const r = await v.verify(bearer(tampered));
  assert.ok(isDenial(r));
  assert.equal(r.code, 'authn.token_signature_invalid');
});

test('scopes come from a space-separated string or an array; roles from a dotted path; undeclared subjects are namespaced', async () => {
  const v = verifiers.verifier('jwt:own')!;
  const token = await ks.sign({ sub: 'svc-9', scope: 'orders:read orders:write', scp: ['billing:read'], realm_access: { roles: ['admin', 'auditor'] } });
  const id = (await v.verify(bearer(token))) as Identity;
  assert.deepEqual([...id.scopes].sort(), ['billing:read', 'orders:read', 'orders:write']);
  assert.deepEqual(id.roles, ['admin', 'auditor']);
  assert.equal(id.consumer, 'jwt:own:svc-9');
  assert.equal(id.via, 'jwt:own');
  assert.equal(typeof id.expiresAt, 'number');
});

test('accepts() takes bearer values with two dots, and never API keys or other headers', () => {
  const v = verifiers.verifier('jwt')!;
  assert.equal(v.accepts(bearer('a.b.c')), true);
  assert.equal(v.accepts(bearer('opaque-token')), false);
  assert.equal(v.accepts(bearer('a.b.c.d')), false);
  assert.equal(v.accepts({ kind: 'apiKey', value: 'a.b.c', where: 'header:x-api-key' }), false);
  assert.equal(verifiers.verifier('jwt:nope'), undefined);
});

test('decodeToken names what is wrong with a malformed token', () => {
  const rows: Array<[string, RegExp]> = [
    ['a.b', /2 parts/],
    ['.e30.', /empty header/],
    ['e30.@@.x', /outside base64url in the payload/],
    ['bm90IGpzb24.e30.x', /header that is not a JSON object/],
    ['e30.WzFd.x', /payload that is not a JSON object/],
  ];
  for (const [token, observed] of rows) {
    const d = decodeToken(token);
    assert.equal(d.ok, false, token);
    if (!d.ok) assert.match(d.observed, observed, token);
  }
  assert.equal(decodeToken('e30.e30.').ok, true, 'an empty signature is left to the algorithm check');
  assert.equal(looksLikeJwt('x.y.z'), true);
  assert.equal(looksLikeJwt('x.y'), false);
});

test('TokenCache: bounded, least recently used first out, nothing kept past its end', () => {
  const c = new TokenCache<number>(2);
  c.set('a', 1, 1000, 0);
  c.set('b', 2, 1000, 0);
  assert.equal(c.get('a', 10), 1, 'a is now the most recent');
  c.set('c', 3, 1000, 10);
  assert.equal(c.get('b', 10), undefined, 'b was the least recently used');
  assert.equal(c.get('a', 10), 1);
  assert.equal(c.get('a', 1000), undefined, 'expired at its end');
  c.set('d', 4, 5, 10);
  assert.equal(c.get('d', 10), undefined, 'an end already past is not stored');
  assert.ok(c.size <= 2);
  assert.notEqual(TokenCache.key('x.y.z'), 'x.y.z');
});

test('claims: a missing consumer claim gives no identity; namespaced claim names are read as they are', () => {
  const map = { consumerClaim: 'client_id', scopeClaims: ['scope'], rolesClaim: 'https://example.test/roles' };
  assert.equal(identityFromClaims({ sub: 'x' }, map, 'jwt:a', () => undefined, 'sub:x'), undefined);
  const id = identityFromClaims({ client_id: 'app', 'https://example.test/roles': ['r1'] }, map, 'jwt:a', () => undefined, 'sub:x')!;
  assert.deepEqual(id.roles, ['r1']);
  assert.equal(id.consumer, 'jwt:a:app');
});
