import type { CallRow } from './row.ts';
import type { CallRecord } from './types.ts';

/** What the writer worker is started with. */
export interface WriterSetup {
  file: string;
  redactHeaders: string[];
  redactQueryParams: string[];
  retentionDays: number;
  maxRows: number;
  /** How often retention runs besides at open. */
  retentionIntervalMs: number;
}

/**
 * One entry of a batch: the finished row of a call that holds no secret, or the record of
 * one that does, which the worker redacts before building its row.
 */
export type BatchEntry = CallRow | CallRecord;

/** Main thread → worker. */
export type ToWriter = { type: 'batch'; id: number; entries: BatchEntry[] } | { type: 'close' };

/** Worker → main thread. */
export type FromWriter =
  | { type: 'ready' }
  | { type: 'written'; id: number; count: number; inserted: number; error?: string }
  | { type: 'retained'; deleted: number; error?: string }
  | { type: 'closed' };
