import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Decision } from './types.ts';
import { decisionProblem, problem } from './problem.ts';

const base: Decision = {
  requestId: 'req_abc',
  at: '2026-01-01T00:00:00.000Z',
  configRevision: 'r',
  disposition: 'enforce',
  outcome: 'deny',
  status: 405,
  code: 'method.not_allowed',
  layer: 'method',
  rule: { id: 'route:secret-route-id' },
  detail: 'operator-only detail mentioning secret-route-id',
  hint: 'This resource allows GET.',
  evidence: [{ where: 'method', expected: 'GET', observed: 'PATCH' }],
  fixes: [{ who: 'operator', action: 'add PATCH to secret-route-id', proved: false, retryable: false }],
  alsoWouldDeny: [],
  trace: [{ layer: 'method', verdict: 'deny', ruleId: 'route:secret-route-id', us: 1 }],
  method: 'PATCH',
  path: '/orders/1',
  headers: { allow: 'GET' },
  extensions: { allowed: ['GET'] },
};

test('a problem body carries the RFC 9457 members and ours', () => {
  const p = decisionProblem(base, 'anyone', 'https://docs.example.com/errors/');
  assert.equal(p.status, 405);
  assert.equal(p.headers['content-type'], 'application/problem+json');
  assert.equal(p.headers.allow, 'GET');
  const body = JSON.parse(p.body);
  assert.equal(body.type, 'https://docs.example.com/errors/method.not_allowed');
  assert.equal(body.status, 405);
  assert.equal(body.request_id, 'req_abc');
  assert.equal(body.instance, 'urn:pinpoint:request:req_abc');
  assert.equal(body.code, 'method.not_allowed');
  assert.equal(body.retryable, false);
});

test('operator-only fields never reach any response audience', () => {
  for (const audience of ['anyone', 'caller'] as const) {
    const text = decisionProblem(base, audience, 'https://x/').body;
    assert.doesNotMatch(text, /secret-route-id/);
    for (const key of ['rule', 'evidence', 'fixes', 'trace']) assert.equal(key in JSON.parse(text), false, key);
  }
});

test('extension members never replace the standard ones', () => {
  const p = problem({ status: 403, code: 'c', title: 't', requestId: 'req_x', retryable: false, typeBase: 'b/', extensions: { status: 200, code: 'fake', extra: 1 } });
  const body = JSON.parse(p.body);
  assert.equal(body.status, 403);
  assert.equal(body.code, 'c');
  assert.equal(body.extra, 1);
});

test('without a public hint the caller is told to quote the request id', () => {
  const p = problem({ status: 403, code: 'c', title: 't', requestId: 'req_q', retryable: false, typeBase: 'b/' });
  assert.match(JSON.parse(p.body).detail, /Quote request id req_q/);
  assert.equal(JSON.parse(p.body).layer, undefined);
});

test('a code that discloses to callers only shows anyone nothing but the basics', async () => {
  const { DECISION_CODES } = await import('./codes.ts');
  const { fieldVisible } = await import('./disclosure.ts');
  const callerOnly = { ...DECISION_CODES['method.not_allowed'], disclose: 'caller' as const };
  assert.equal(fieldVisible('layer', 'anyone', callerOnly), false);
  assert.equal(fieldVisible('hint', 'anyone', callerOnly), false);
  assert.equal(fieldVisible('hint', 'caller', callerOnly), true);
  for (const audience of ['anyone', 'caller'] as const) {
    for (const field of ['rule', 'evidence', 'fixes', 'trace', 'detail'] as const) {
      assert.equal(fieldVisible(field, audience, callerOnly), false, `${field} hidden from ${audience}`);
    }
  }
  assert.equal(fieldVisible('evidence', 'operator', callerOnly), true);
});
