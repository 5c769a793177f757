import Database from 'better-sqlite3';
import type { CallLogReader, LogFilter, StoredCall } from './types.ts';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 10_000;

interface Row {
  row_id: number;
  at: number;
  request_id: string;
  correlation_id: string | null;
  consumer: string | null;
  tenant: string | null;
  route: string | null;
  method: string;
  path: string;
  query: string;
  host: string;
  client_ip: string;
  status: number;
  outcome: StoredCall['outcome'];
  code: string | null;
  layer: string | null;
  upstream: string | null;
  upstream_status: number | null;
  upstream_ms: number | null;
  total_ms: number;
  config_revision: string;
  error: string | null;
  decision: string;
  request_headers: string;
  ai: string | null;
}

/** Read-only access to a call log file; safe while a gateway is writing it (WAL). */
export class SqliteCallLogReader implements CallLogReader {
  private readonly db: Database.Database;
  private readonly byRequestId: Database.Statement<[string], Row>;
  private readonly byCorrelationId: Database.Statement<[string], Row>;
  private readonly newest: Database.Statement<[], number>;

  constructor(file: string) {
    this.db = new Database(file, { readonly: true, fileMustExist: true });
    this.db.pragma('busy_timeout = 5000');
    this.byRequestId = this.db.prepare<[string], Row>('SELECT * FROM calls WHERE request_id = ?');
    this.byCorrelationId = this.db.prepare<[string], Row>('SELECT * FROM calls WHERE correlation_id = ? ORDER BY row_id DESC LIMIT 1');
    this.newest = this.db.prepare<[], number>('SELECT COALESCE(MAX(row_id), 0) FROM calls').pluck();
  }

  /** By our request id, else the newest request that carried this id as its correlation id. */
  get(requestId: string): StoredCall | undefined {
    const row = this.byRequestId.get(requestId) ?? this.byCorrelationId.get(requestId);
    return row && toStored(row);
  }

  list(filter: LogFilter): StoredCall[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    const eq = (column: string, value: string | number | undefined) => {
      if (value === undefined) return;
      where.push(`${column} = ?`);
      args.push(value);
    };
    eq('status', filter.status);
    // Implied by the equality, but SQLite only uses the partial index calls_failed when the
    // query repeats its condition.
    if (filter.status !== undefined && filter.status >= 400) where.push('status >= 400');
    eq('layer', filter.layer);
    eq('route', filter.route);
    eq('consumer', filter.consumer);
    eq('outcome', filter.outcome);
    eq("json_extract(ai, '$.alias')", filter.model);
    if (filter.code !== undefined) {
      const prefix = codePrefix(filter.code);
      if (prefix === undefined) eq('code', filter.code);
      else {
        where.push(`code LIKE ? ESCAPE '\\'`);
        args.push(prefix.replace(/[\\%_]/g, (c) => '\\' + c) + '%');
      }
    }
    if (filter.since !== undefined) {
      where.push('at >= ?');
      args.push(Math.floor(filter.since));
    }
    if (filter.afterRowId !== undefined) {
      where.push('row_id > ?');
      args.push(filter.afterRowId);
    }
    if (filter.untilRowId !== undefined) {
      where.push('row_id <= ?');
      args.push(filter.untilRowId);
    }
    const limit = Math.min(Math.max(1, Math.floor(filter.limit ?? DEFAULT_LIMIT)), MAX_LIMIT);
    const order = filter.afterRowId !== undefined ? 'ASC' : 'DESC';
    const sql = `SELECT * FROM calls${where.length ? ' WHERE ' + where.join(' AND ') : ''} ORDER BY row_id ${order} LIMIT ${limit}`;
    return (this.db.prepare(sql).all(...args) as Row[]).map(toStored);
  }

  lastRowId(): number {
    return this.newest.get() ?? 0;
  }

  close(): void {
    this.db.close();
  }
}

/** "route." and "route.*" are prefixes; anything else is an exact code. */
function codePrefix(code: string): string | undefined {
  if (code.endsWith('.*')) return code.slice(0, -1);
  if (code.endsWith('.')) return code;
  return undefined;
}

function toStored(r: Row): StoredCall {
  const call: StoredCall = {
    rowId: r.row_id,
    at: r.at,
    requestId: r.request_id,
    method: r.method,
    path: r.path,
    query: r.query,
    host: r.host,
    clientIp: r.client_ip,
    status: r.status,
    outcome: r.outcome,
    totalMs: r.total_ms,
    configRevision: r.config_revision,
    decision: JSON.parse(r.decision),
    requestHeaders: JSON.parse(r.request_headers),
  };
  if (r.correlation_id !== null) call.correlationId = r.correlation_id;
  if (r.consumer !== null) call.consumer = r.consumer;
  if (r.tenant !== null) call.tenant = r.tenant;
  if (r.route !== null) call.route = r.route;
  if (r.code !== null) call.code = r.code;
  if (r.layer !== null) call.layer = r.layer;
  if (r.upstream !== null) call.upstream = r.upstream;
  if (r.upstream_status !== null) call.upstreamStatus = r.upstream_status;
  if (r.upstream_ms !== null) call.upstreamMs = r.upstream_ms;
  if (r.error !== null) call.error = r.error;
  if (r.ai !== null) call.ai = JSON.parse(r.ai);
  return call;
}
