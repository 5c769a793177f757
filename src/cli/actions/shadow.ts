// The work of `pinpoint shadow report` (the command is defined in ../shadow.ts).
import { renderShadowReport, shadowReport } from '../../explain/shadow-report.ts';
import { CliError } from '../errors.ts';
import { logFileFrom, openLogReader } from '../log-source.ts';
import { parseSince } from '../option-parsers.ts';
import type { ShadowReportOptions } from '../shadow.ts';

export function runShadowReport(opts: ShadowReportOptions): void {
  let since: number;
  try {
    since = parseSince(opts.since);
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  const reader = openLogReader(logFileFrom(opts));
  try {
    const report = shadowReport(reader, since);
    process.stdout.write(opts.json ? JSON.stringify(report, null, 2) + '\n' : renderShadowReport(report));
  } finally {
    reader.close();
  }
}
