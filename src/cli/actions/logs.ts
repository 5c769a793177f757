// The work of `pinpoint logs` (the command is defined in ../logs.ts).
import { renderLogHeader, renderLogLine } from '../../calllog/render.ts';
import type { CallLogReader, LogFilter, StoredCall } from '../../calllog/types.ts';
import { logFileFrom, openLogReader } from '../log-source.ts';
import type { LogsOptions } from '../logs.ts';

export const FOLLOW_POLL_MS = 500;
/** Most rows printed per poll while following; the rest come at the next poll. */
const FOLLOW_PAGE = 1000;

export async function runLogs(opts: LogsOptions): Promise<void> {
  const reader = openLogReader(logFileFrom(opts));
  const filter: LogFilter = {
    status: opts.status,
    code: opts.code,
    layer: opts.layer,
    route: opts.route,
    consumer: opts.consumer,
    outcome: opts.outcome,
    model: opts.model,
    since: opts.since,
  };
  const print = (calls: StoredCall[]) => {
    if (calls.length) process.stdout.write(calls.map((c) => (opts.json ? JSON.stringify(c) : renderLogLine(c))).join('\n') + '\n');
  };
  // Read the head of the log before listing, so follow starts exactly after what was listed.
  const top = reader.lastRowId();
  const newest = reader.list({ ...filter, untilRowId: top, limit: opts.limit }).reverse();
  if (!opts.json) process.stdout.write(renderLogHeader() + '\n');
  print(newest);
  if (!opts.follow) {
    reader.close();
    return;
  }
  await follow(reader, filter, top, print);
}

/** Polls for rows after `cursor` until SIGINT/SIGTERM. */
function follow(reader: CallLogReader, filter: LogFilter, cursor: number, print: (c: StoredCall[]) => void): Promise<void> {
  return new Promise((resolve) => {
    const poll = () => {
      const top = reader.lastRowId();
      if (top > cursor) {
        const rows = reader.list({ ...filter, afterRowId: cursor, untilRowId: top, limit: FOLLOW_PAGE });
        print(rows);
        // Rows the filter skipped are passed too, so they are not scanned again.
        cursor = rows.length === FOLLOW_PAGE ? rows[rows.length - 1].rowId : top;
      }
    };
    const timer = setInterval(poll, FOLLOW_POLL_MS);
    const stop = () => {
      clearInterval(timer);
      reader.close();
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
