import { Command } from 'commander';
import { renderLogHeader, renderLogLine } from '../calllog/render.ts';
import type { CallLogReader, LogFilter, StoredCall } from '../calllog/types.ts';
import { logFileFrom, openLogReader } from './log-source.ts';
import { parseOutcome, parsePositiveInt, parseSince, parseStatus } from './option-parsers.ts';

/** The command's flags: the call log filters, plus where to read and how to print. */
interface LogsOptions extends Pick<LogFilter, 'status' | 'code' | 'layer' | 'route' | 'consumer' | 'outcome' | 'model' | 'since'> {
  config?: string;
  db?: string;
  limit: number;
  follow?: boolean;
  json?: boolean;
}

export const FOLLOW_POLL_MS = 500;
/** Most rows printed per poll while following; the rest come at the next poll. */
const FOLLOW_PAGE = 1000;

export function logsCommand(): Command {
  return new Command('logs')
    .description('List calls from the call log, newest last; filter, or follow as they are written')
    .option('-c, --config <file>', "the gateway's config file (its log.file is read)")
    .option('--db <file>', 'the call log SQLite file')
    .option('--status <n>', 'only this HTTP status', parseStatus)
    .option('--code <code>', "only this code, or a prefix ending in '.' (route.)")
    .option('--layer <layer>', 'only denials by this layer')
    .option('--route <id>', 'only this route id')
    .option('--consumer <name>', 'only this consumer')
    .option('--outcome <outcome>', 'allow, deny or error', parseOutcome)
    .option('--model <alias>', 'only AI calls of this model alias')
    .option('--since <when>', 'only calls since 30s, 10m, 2h, 1d ago or an ISO time', (v) => parseSince(v))
    .option('--limit <n>', 'how many of the newest calls to list', parsePositiveInt, 100)
    .option('-f, --follow', 'keep printing new calls as they are written, until Ctrl-C')
    .option('--json', 'one JSON record per line')
    .action(async (opts: LogsOptions) => {
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
    });
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
