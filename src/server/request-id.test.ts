import assert from 'node:assert/strict';
import { test } from 'node:test';
import { correlationIdFrom, newRequestId } from './request-id.ts';

test('request ids are unique, well-formed, and ordered by time', async () => {
  const ids = new Set<string>();
  for (let i = 0; i < 5000; i++) ids.add(newRequestId());
  assert.equal(ids.size, 5000);
  for (const id of ids) assert.match(id, /^req_[0-9a-f]{32}$/);
  const a = newRequestId();
  await new Promise((r) => setTimeout(r, 5));
  const b = newRequestId();
  assert.ok(a.slice(0, 16) < b.slice(0, 16), 'time prefix grows');
});

test('the random part differs between ids made in the same millisecond', () => {
  const tails = new Set(Array.from({ length: 1000 }, () => newRequestId().slice(16)));
  assert.equal(tails.size, 1000);
});

test('an incoming X-Request-Id is kept only when it is a plain token', () => {
  assert.equal(correlationIdFrom('abc-123.x:y_z'), 'abc-123.x:y_z');
  assert.equal(correlationIdFrom('has space'), undefined);
  assert.equal(correlationIdFrom('x'.repeat(129)), undefined);
  assert.equal(correlationIdFrom(['a', 'b']), undefined);
  assert.equal(correlationIdFrom('<script>'), undefined);
});
