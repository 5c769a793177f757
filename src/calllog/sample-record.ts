// Realistic call records for tests of the call log, the CLI and the admin API.
import type { Decision } from '../decision/types.ts';
import type { CallRecord } from './types.ts';

let counter = 0;

/** An allowed GET through route "orders", proxied with a 200. */
export function allowedRecord(over: Partial<CallRecord> = {}): CallRecord {
  const requestId = over.requestId ?? `req_test${String(++counter).padStart(6, '0')}`;
  const at = over.at ?? Date.now();
  const decision: Decision = {
    requestId,
    at: new Date(at).toISOString(),
    configRevision: 'rev0001',
    disposition: 'enforce',
    outcome: 'allow',
    status: 200,
    evidence: [],
    fixes: [],
    alsoWouldDeny: [],
    trace: [
      { layer: 'route', verdict: 'pass', ruleId: 'orders', us: 11 },
      { layer: 'method', verdict: 'pass', us: 3 },
    ],
    route: 'orders',
    method: 'GET',
    path: '/orders/42',
  };
  return {
    at,
    requestId,
    route: 'orders',
    method: 'GET',
    path: '/orders/42',
    query: 'expand=items',
    host: 'api.example.test',
    clientIp: '127.0.0.1',
    status: 200,
    outcome: 'allow',
    upstream: 'http://127.0.0.1:9000',
    upstreamStatus: 200,
    upstreamMs: 4.2,
    totalMs: 5.1,
    configRevision: 'rev0001',
    requestHeaders: { host: 'api.example.test', accept: 'application/json' },
    ...over,
    decision: { ...decision, ...over.decision, requestId },
  };
}

/** A POST to /orders/42 refused with 405 by the method layer. */
export function deniedRecord(over: Partial<CallRecord> = {}): CallRecord {
  const base = allowedRecord({ ...over, decision: undefined });
  const decision: Decision = {
    ...base.decision,
    outcome: 'deny',
    status: 405,
    code: 'method.not_allowed',
    layer: 'method',
    rule: { id: 'route:orders' },
    denyKind: 'no_allow',
    detail: 'POST is not allowed on /orders/:id; routes orders allow GET, HEAD',
    hint: 'This resource allows GET, HEAD.',
    evidence: [{ where: 'method', expected: 'GET, HEAD', observed: 'POST' }],
    fixes: [
      { who: 'client', action: 'Use one of: GET, HEAD.', proved: false, retryable: false },
      { who: 'operator', action: 'Add POST to the methods of route orders if it should be allowed.', proved: false, retryable: false },
    ],
    trace: [
      { layer: 'route', verdict: 'pass', ruleId: 'orders', us: 9 },
      { layer: 'method', verdict: 'deny', ruleId: 'route:orders', code: 'method.not_allowed', us: 4 },
    ],
    method: over.method ?? 'POST',
    headers: { allow: 'GET, HEAD' },
    ...over.decision,
  };
  // A denial by another layer than method: the decision follows the record's code.
  if (over.code && over.code !== 'method.not_allowed') {
    Object.assign(decision, { status: over.status ?? 400, code: over.code, layer: over.layer, route: over.route, path: over.path ?? decision.path });
  }
  return {
    ...base,
    method: 'POST',
    status: 405,
    outcome: 'deny',
    code: 'method.not_allowed',
    layer: 'method',
    upstream: undefined,
    upstreamStatus: undefined,
    upstreamMs: undefined,
    ...over,
    decision: { ...decision, requestId: base.requestId },
  };
}
