// The gateway's own view of time to first token, from its call log: the AI record's ttftMs runs
// from the request's arrival to the first content written to the client. Beside the client's
// figures it splits what the gateway adds into its own work and the extra hop (sockets, scheduling).
import { openCallLogReader, type CallLogReader } from '../../src/calllog/index.ts';
import type { Child } from '../children.ts';
import { callLogNote } from '../lifecycle.ts';
import { summarise, type Summary } from './stats.ts';

const PAGE = 10_000;

export interface GatewayView {
  /** The last row before a phase: its calls are the rows after it. */
  mark(): number;
  /** ttftMs of the AI calls logged after `mark`, once the log has written them. */
  since(mark: number): Promise<Summary>;
  close(): void;
}

export function gatewayView(gateway: Child, callLogFile: string): GatewayView {
  const reader: CallLogReader = openCallLogReader(callLogFile);
  return {
    mark: () => reader.lastRowId(),
    async since(mark) {
      await callLogNote(gateway); // waits until the gateway's log queue is empty
      const ttft: number[] = [];
      for (let after = mark; ; ) {
        const rows = reader.list({ afterRowId: after, limit: PAGE });
        for (const r of rows) if (typeof r.ai?.ttftMs === 'number') ttft.push(r.ai.ttftMs);
        if (rows.length < PAGE) break;
        after = rows[rows.length - 1].rowId;
      }
      return summarise(ttft);
    },
    close: () => reader.close(),
  };
}
