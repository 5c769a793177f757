import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_LIMIT, parseLogsQuery, parseSince } from './logs-query.ts';

const NOW = Date.parse('2025-01-02T03:04:05.000Z');

const SINCE: Array<[string, number | undefined]> = [
  ['1735787045000', 1735787045000],
  ['30s', NOW - 30_000],
  ['10m', NOW - 600_000],
  ['2h', NOW - 7_200_000],
  ['1d', NOW - 86_400_000],
  ['2025-01-01T00:00:00Z', Date.parse('2025-01-01T00:00:00Z')],
  ['2025-01-01', Date.parse('2025-01-01')],
  ['2025-13-45', undefined],
  ['yesterday', undefined],
  ['10w', undefined],
  ['-5m', undefined],
  ['', undefined],
];

for (const [raw, expected] of SINCE) {
  test(`since=${JSON.stringify(raw)}`, () => assert.equal(parseSince(raw, NOW), expected));
}

test('a full query becomes a call log filter', () => {
  const q = new URLSearchParams('status=404&code=route.*&layer=route&route=orders&consumer=acme&outcome=deny&model=gpt&since=10m&after=42&limit=1000');
  assert.deepEqual(parseLogsQuery(q, NOW), {
    ok: true,
    value: { status: 404, code: 'route.*', layer: 'route', route: 'orders', consumer: 'acme', outcome: 'deny', model: 'gpt', since: NOW - 600_000, afterRowId: 42, limit: 1000 },
  });
});

test('an empty query lists the newest entries with the default limit', () => {
  assert.deepEqual(parseLogsQuery(new URLSearchParams(''), NOW), { ok: true, value: { limit: DEFAULT_LIMIT } });
});

const BAD: Array<[string, RegExp]> = [
  ['limit=1001', /limit is an integer from 1 to 1000/],
  ['limit=0', /limit/],
  ['limit=1e3', /limit/],
  ['status=99', /status/],
  ['status=2xx', /status/],
  ['outcome=ALLOW', /outcome/],
  ['after=-1', /after/],
  ['since=soon', /since/],
  ['route=a&route=b', /more than once/],
  ['colour=red', /unknown parameter "colour"/],
  ['consumer=', /empty/],
  ['code=' + 'x'.repeat(257), /longer than 256/],
];

for (const [q, message] of BAD) {
  test(`refuses ${q.slice(0, 40)}`, () => {
    const r = parseLogsQuery(new URLSearchParams(q), NOW);
    assert.equal(r.ok, false);
    assert.match((r as { error: string }).error, message);
  });
}
