import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashPassword } from './password.ts';
import { passwordChecker } from './verify.ts';

test('concurrent checks of the same credentials share one scrypt run; the result is then cached', async () => {
  const hash = await hashPassword('a long enough password');
  const check = passwordChecker({ password: (c) => (c === 'alice' ? { consumer: 'alice', hash, updatedAt: 1 } : undefined) }, (n) => n === 'alice');
  const first = check('alice', 'a long enough password', 'alice:1');
  const second = check('alice', 'a long enough password', 'alice:1');
  assert.ok(first instanceof Promise);
  assert.equal(second, first, 'the second caller waits for the first check instead of starting its own');
  const other = check('alice', 'another password!', 'alice:2');
  assert.notEqual(other, first, 'other credentials are checked on their own');
  assert.deepEqual(await first, { ok: true });
  assert.equal((await other).ok, false);
  assert.deepEqual(check('alice', 'a long enough password', 'alice:1'), { ok: true }, 'a success is then answered from the cache, synchronously');
  const wrong = check('alice', 'another password!', 'alice:2');
  assert.ok(wrong instanceof Promise, 'a failure is never cached');
  assert.equal((await wrong).ok, false);
});
