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

/** Main thread → worker. */
export type ToWriter = { type: 'batch'; id: number; records: CallRecord[] } | { type: 'close' };

/** Worker → main thread. */
export type FromWriter =
  | { type: 'ready' }
  | { type: 'written'; id: number; count: number; inserted: number; error?: string }
  | { type: 'retained'; deleted: number; error?: string }
  | { type: 'closed' };
