import type { AiCallRecord } from '../ai/record.ts';
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
  /** AI routes: model, provider hops, usage, cost, time to first token. */
  ai?: AiCallRecord;
}

export interface CallLogStats {
  /** Entries stored. */
  written: number;
  /** Entries lost: refused because the queue was full, or a write that failed. Never silent. */
  dropped: number;
  /** Entries accepted and not yet stored (waiting, or being written). */
  queued: number;
  /** The last write or retention failure, when there was one. */
  lastError?: string;
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
  /** Exact code, or a prefix ending in '.' or '.*' ("route." matches every route.* code). */
  code?: string;
  layer?: string;
  route?: string;
  consumer?: string;
  outcome?: 'allow' | 'deny' | 'error';
  /** AI calls of this model alias (the name the client asked for). */
  model?: string;
  /** Epoch ms. */
  since?: number;
  /** Only rows newer than this row id (for follow); the result is then oldest first. */
  afterRowId?: number;
  /** Only rows up to this row id, inclusive. */
  untilRowId?: number;
  /** Default 100. */
  limit?: number;
}

/** A stored entry: secrets already redacted. */
export interface StoredCall extends Omit<CallRecord, 'decision'> {
  rowId: number;
  decision: Decision;
}

export interface CallLogReader {
  get(requestId: string): StoredCall | undefined;
  /** Newest first, or oldest first with afterRowId. */
  list(filter: LogFilter): StoredCall[];
  /** The id of the newest stored row; 0 when the log is empty. */
  lastRowId(): number;
  close(): void;
}
