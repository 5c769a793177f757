// Test fixture: call records as the gateway hands them to the call log and to metrics.
import type { CallRecord } from '../calllog/types.ts';

let seq = 0;

export function callRecord(over: Partial<CallRecord> = {}): CallRecord {
  const requestId = over.requestId ?? `req_fixture${Date.now().toString(36)}${(seq++).toString(36)}`;
  const base: CallRecord = {
    at: Date.now(),
    requestId,
    route: 'orders',
    method: 'GET',
    path: '/orders',
    query: '',
    host: 'api.test',
    clientIp: '127.0.0.1',
    status: 200,
    outcome: 'allow',
    upstream: 'http://127.0.0.1:9',
    upstreamStatus: 200,
    upstreamMs: 3,
    totalMs: 4,
    configRevision: 'rev1',
    requestHeaders: { host: 'api.test' },
    decision: {
      requestId,
      at: new Date().toISOString(),
      configRevision: 'rev1',
      disposition: 'enforce',
      outcome: 'allow',
      status: 200,
      evidence: [],
      fixes: [],
      alsoWouldDeny: [],
      trace: [{ layer: 'route', verdict: 'pass', ruleId: 'orders', us: 3 }],
      method: 'GET',
      path: '/orders',
      route: 'orders',
    },
  };
  return { ...base, ...over };
}

/** A denial as the route or method layer records it. */
export function denialRecord(code: 'route.not_found' | 'method.not_allowed', over: Partial<CallRecord> = {}): CallRecord {
  const layer = code === 'route.not_found' ? 'route' : 'method';
  const status = code === 'route.not_found' ? 404 : 405;
  const r = callRecord({
    route: code === 'route.not_found' ? undefined : 'orders',
    status,
    outcome: 'deny',
    code,
    layer,
    upstream: undefined,
    upstreamStatus: undefined,
    upstreamMs: undefined,
    ...over,
  });
  r.decision = {
    ...r.decision,
    requestId: r.requestId,
    outcome: 'deny',
    status,
    code,
    layer,
    rule: { id: r.route ?? 'routes' },
    denyKind: 'no_allow',
    detail: `${code} for ${r.method} ${r.path}`,
    evidence: [{ where: layer === 'route' ? 'path' : 'method', expected: 'a configured value', observed: layer === 'route' ? r.path : r.method }],
    trace: [{ layer, verdict: 'deny', code, us: 2 }],
    method: r.method,
    path: r.path,
    route: r.route,
  };
  return r;
}
