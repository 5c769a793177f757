import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KEY_LENGTH, generateKey, keyLabel, parseKey } from './format.ts';

test('generated keys parse back to their id', () => {
  for (let i = 0; i < 200; i++) {
    const { key, id } = generateKey();
    assert.equal(key.length, KEY_LENGTH);
    assert.deepEqual(parseKey(key), { ok: true, id });
  }
});

test('every single-character typo is caught by the checksum or the shape', () => {
  const { key } = generateKey();
  for (let i = 3; i < key.length; i++) {
    const c = key[i] === 'a' ? 'b' : 'a';
    const typo = key.slice(0, i) + c + key.slice(i + 1);
    const parsed = parseKey(typo);
    assert.equal(parsed.ok, false, `typo at ${i} passed`);
  }
});

const bad: Array<[string, string]> = [
  ['', 'shape'],
  ['pk_short', 'shape'],
  ['sk_' + 'a'.repeat(KEY_LENGTH - 3), 'shape'],
  ['pk_' + 'a'.repeat(KEY_LENGTH - 4) + '-', 'shape'],
  [' pk_' + 'a'.repeat(KEY_LENGTH - 3), 'shape'],
];
for (const [value, reason] of bad) {
  test(`parseKey refuses ${JSON.stringify(value.slice(0, 12))}… as ${reason}`, () => {
    assert.deepEqual(parseKey(value), { ok: false, reason });
  });
}

test('a key label shows the public id only', () => {
  const { key, id } = generateKey();
  assert.equal(keyLabel(id), `pk_${id}…`);
  assert.ok(!keyLabel(id).includes(key.slice(13, 45)));
});
