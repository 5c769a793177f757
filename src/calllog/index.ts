import { isAbsolute, resolve } from 'node:path';
import type { Config } from '../config/schema.ts';
import { SqliteCallLogReader } from './reader.ts';
import type { CallLog, CallLogReader } from './types.ts';
import { BatchingCallLog } from './writer.ts';

export type { CallLog, CallLogReader, CallLogStats, CallRecord, LogFilter, StoredCall } from './types.ts';

/** Retention runs when the log opens and then this often. */
export const RETENTION_INTERVAL_MS = 60_000;

export interface CallLogTuning {
  retentionIntervalMs?: number;
  closeTimeoutMs?: number;
}

/**
 * Opens the call log for writing: an SQLite file (WAL) written in batches by a worker thread.
 * A relative `cfg.file` is resolved against `baseDir` (the config file's directory; default
 * the working directory). Secrets are redacted before anything is stored.
 */
export function openCallLog(cfg: Config['log'], baseDir = process.cwd(), tuning: CallLogTuning = {}): CallLog {
  const file = isAbsolute(cfg.file) ? cfg.file : resolve(baseDir, cfg.file);
  return new BatchingCallLog({
    setup: {
      file,
      redactHeaders: cfg.redactHeaders,
      redactQueryParams: cfg.redactQueryParams,
      retentionDays: cfg.retentionDays,
      maxRows: cfg.maxRows,
      retentionIntervalMs: tuning.retentionIntervalMs ?? RETENTION_INTERVAL_MS,
    },
    batchSize: cfg.batchSize,
    flushIntervalMs: cfg.flushIntervalMs,
    queueLimit: cfg.queueLimit,
    closeTimeoutMs: tuning.closeTimeoutMs,
  });
}

/** Opens a call log file for reading; throws when the file does not exist. */
export function openCallLogReader(file: string): CallLogReader {
  return new SqliteCallLogReader(file);
}
