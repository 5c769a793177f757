import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Denial } from '../decision/types.ts';
import { Pipeline } from './pipeline.ts';
import { noteShadow, SKIP, type Layer, type RequestDescription } from './types.ts';

const req: RequestDescription = { method: 'POST', httpVersion: '1.1', path: '/x', query: '', host: 'h', headers: {}, clientIp: '127.0.0.1' };
const opts = { requestId: 'req_1', disposition: 'explain' as const, configRevision: 'rev1' };

const deny = (code: 'route.not_found' | 'method.not_allowed', ruleId: string): Denial => ({ code, ruleId, detail: ruleId, evidence: [], fixes: [] });
const pass = (name: string): Layer => ({ name, evaluate: () => undefined });
const refuse = (name: string, d: Denial, callsOut = false): Layer => ({ name, callsOut, evaluate: () => d });

test('the first denial decides; later layers still run and are traced as would_deny', async () => {
  const p = new Pipeline([pass('a'), refuse('b', deny('method.not_allowed', 'r1')), refuse('c', deny('route.not_found', 'r2')), pass('d')]);
  const d = await p.run(req, opts);
  assert.equal(d.outcome, 'deny');
  assert.equal(d.code, 'method.not_allowed');
  assert.equal(d.status, 405);
  assert.deepEqual(d.rule, { id: 'r1', name: undefined, source: undefined });
  assert.deepEqual(d.alsoWouldDeny, ['route.not_found']);
  assert.deepEqual(
    d.trace.map((t) => t.verdict),
    ['pass', 'deny', 'would_deny', 'pass'],
  );
  for (const t of d.trace) assert.ok(Number.isInteger(t.us) && t.us >= 0);
});

test('layers that call out are not run once the request is denied', async () => {
  let called = false;
  const lookup: Layer = { name: 'lookup', callsOut: true, evaluate: () => ((called = true), undefined) };
  const d = await new Pipeline([refuse('a', deny('route.not_found', 'r')), lookup]).run(req, opts);
  assert.equal(called, false);
  assert.equal(d.trace[1].verdict, 'skipped');
});

test('async layers are awaited in order and the decision is the same shape', async () => {
  const order: string[] = [];
  const slow: Layer = { name: 'slow', evaluate: () => new Promise((r) => setTimeout(() => (order.push('slow'), r(undefined)), 5)) };
  const after: Layer = { name: 'after', evaluate: () => (order.push('after'), deny('route.not_found', 'x')) };
  const result = new Pipeline([slow, after]).run(req, opts);
  assert.ok(result instanceof Promise);
  const d = await result;
  assert.deepEqual(order, ['slow', 'after']);
  assert.equal(d.code, 'route.not_found');
});

test('an all-pass run is an allow with every layer traced', () => {
  const d = new Pipeline([pass('a'), { name: 'b', evaluate: () => SKIP }]).run(req, opts);
  assert.ok(!(d instanceof Promise));
  assert.equal(d.outcome, 'allow');
  assert.equal(d.code, undefined);
  assert.deepEqual(
    d.trace.map((t) => [t.layer, t.verdict]),
    [['a', 'pass'], ['b', 'skipped']],
  );
  assert.equal(d.configRevision, 'rev1');
  assert.equal(d.requestId, 'req_1');
});

test('report-only denials are recorded in the decision and do not deny', async () => {
  const p = new Pipeline([
    {
      name: 'watcher',
      evaluate(ctx) {
        noteShadow(ctx, 'watcher', { code: 'route.not_found', ruleId: 'r1', detail: 'would refuse', evidence: [{ where: 'path', expected: 'x', observed: 'y' }], fixes: [] });
        return undefined;
      },
    },
  ]);
  const d = await p.run(req, opts);
  assert.equal(d.outcome, 'allow');
  assert.deepEqual(d.shadow, [{ layer: 'watcher', code: 'route.not_found', ruleId: 'r1', detail: 'would refuse', evidence: [{ where: 'path', expected: 'x', observed: 'y' }] }]);
});
