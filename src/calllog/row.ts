import type { CallRecord } from './types.ts';

/**
 * One call as the INSERT binds it: the columns of `calls` in CALL_COLUMNS order, the decision
 * and the request headers already JSON text. A flat array of strings and numbers is what the
 * gateway thread hands to the writer thread for most calls: cloning it across threads costs a
 * fraction of cloning the record's object graph, and it holds little memory while it waits.
 */
export type CallRow = [
  at: number,
  requestId: string,
  correlationId: string | null,
  consumer: string | null,
  tenant: string | null,
  route: string | null,
  method: string,
  path: string,
  query: string,
  host: string,
  clientIp: string,
  status: number,
  outcome: string,
  code: string | null,
  layer: string | null,
  upstream: string | null,
  upstreamStatus: number | null,
  upstreamMs: number | null,
  totalMs: number,
  configRevision: string,
  error: string | null,
  decision: string,
  requestHeaders: string,
  ai: string | null,
];

/** Column names in the order of CallRow. */
export const CALL_COLUMNS = [
  'at', 'request_id', 'correlation_id', 'consumer', 'tenant', 'route', 'method', 'path', 'query', 'host', 'client_ip',
  'status', 'outcome', 'code', 'layer', 'upstream', 'upstream_status', 'upstream_ms', 'total_ms', 'config_revision',
  'error', 'decision', 'request_headers', 'ai',
] as const;

/**
 * The row of a record that is already redacted (or holds nothing to redact). `record.query`,
 * `record.error` and `record.requestHeaders` are stored as given: the caller answers for them
 * (redactedRow passes redacted query and headers in their place).
 */
export function callRow(r: CallRecord, query = r.query, requestHeaders = r.requestHeaders): CallRow {
  return [
    Math.round(r.at),
    r.requestId,
    r.correlationId ?? null,
    r.consumer ?? null,
    r.tenant ?? null,
    r.route ?? null,
    r.method,
    r.path,
    query ?? '',
    r.host ?? '',
    r.clientIp ?? '',
    r.status,
    r.outcome,
    r.code ?? null,
    r.layer ?? null,
    r.upstream ?? null,
    r.upstreamStatus ?? null,
    r.upstreamMs ?? null,
    r.totalMs,
    r.configRevision,
    r.error ?? null,
    JSON.stringify(r.decision),
    JSON.stringify(requestHeaders),
    r.ai ? JSON.stringify(r.ai) : null,
  ];
}
