import type { Decision } from '../decision/types.ts';

/**
 * One line of the call log: every request, allowed or denied. The gateway hands it over
 * unredacted; the call log redacts secrets before anything is stored (src/calllog/redact.ts).
 */
export interface CallRecord {
  /** Epoch milliseconds when the request arrived. */
  at: number;
  requestId: string;
  correlationId?: string;
  consumer?: string;
  tenant?: string;
  route?: string;
  method: string;
  path: string;
  /** Raw query string without '?'. */
  query: string;
  host: string;
  clientIp: string;
  /** Status the gateway answered with; 0 when the client went away before any answer. */
  status: number;
  outcome: 'allow' | 'deny' | 'error';
  /** Decision code for a denial, operational code (upstream.*, client.*) for an error. */
  code?: string;
  layer?: string;
  upstream?: string;
  upstreamStatus?: number;
  upstreamMs?: number;
  totalMs: number;
  configRevision: string;
  decision: Decision;
  requestHeaders: Record<string, string | string[] | undefined>;
  /** Operator detail of an operational error. */
  error?: string;
}

export interface CallLogStats {
  written: number;
  dropped: number;
  queued: number;
}

export interface CallLog {
  /** Never blocks and never throws: under overload the entry is dropped and counted. */
  record(entry: CallRecord): void;
  stats(): CallLogStats;
  /** Flushes what is queued, then stops. */
  close(): Promise<void>;
}

export interface LogFilter {
  status?: number;
  code?: string;
  layer?: string;
  route?: string;
  consumer?: string;
  outcome?: 'allow' | 'deny' | 'error';
  /** Epoch ms. */
  since?: number;
  /** Only rows newer than this row id (for follow). */
  afterRowId?: number;
  limit?: number;
}

/** A stored entry: secrets already redacted. */
export interface StoredCall extends Omit<CallRecord, 'decision'> {
  rowId: number;
  decision: Decision;
}

export interface CallLogReader {
  get(requestId: string): StoredCall | undefined;
  list(filter: LogFilter): StoredCall[];
  close(): void;
}
