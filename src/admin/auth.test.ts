import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bearerToken, bearerTokenCheck } from './auth.ts';

test('bearerToken reads the token of a Bearer header only', () => {
  const rows: Array<[string | undefined, string | undefined]> = [
    ['Bearer abc', 'abc'],
    ['bearer abc', 'abc'],
    ['BEARER \tabc ', 'abc'],
    ['Bearer', undefined],
    ['Bearer a b', undefined],
    ['Basic abc', undefined],
    ['abc', undefined],
    [undefined, undefined],
  ];
  for (const [header, token] of rows) assert.equal(bearerToken(header), token, String(header));
});

test('the check accepts only the configured token', () => {
  const check = bearerTokenCheck('s3cret-token');
  assert.equal(check('Bearer s3cret-token'), 'ok');
  assert.equal(check('Bearer s3cret-tokem'), 'invalid');
  assert.equal(check('Bearer s3cret-token-longer'), 'invalid');
  assert.equal(check('Bearer s'), 'invalid');
  assert.equal(check(undefined), 'missing');
  assert.equal(check('Basic s3cret-token'), 'missing');
});

test('without a configured token nothing passes', () => {
  for (const token of [undefined, '']) {
    const check = bearerTokenCheck(token);
    assert.equal(check('Bearer '), 'not_configured');
    assert.equal(check('Bearer anything'), 'not_configured');
    assert.equal(check(undefined), 'not_configured');
  }
});
