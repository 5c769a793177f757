// The work of `pinpoint validate` (the command is defined in ../validate.ts).
import { aiNotes } from '../../ai/notes.ts';
import { ConfigError, formatIssue, loadConfigFile, type ConfigIssue } from '../../config/load.ts';

export interface ValidationReport {
  file: string;
  ok: boolean;
  revision?: string;
  routes?: number;
  services?: number;
  errors: ConfigIssue[];
  /** Not errors, but worth knowing before it runs (a model without a price, a secret not set). */
  notes?: string[];
}

/** Loads the config the way the gateway does (schema, references, route compile) and reports. */
export function validateFile(file: string, env: NodeJS.ProcessEnv = process.env): ValidationReport {
  try {
    const { config, revision } = loadConfigFile(file, { env });
    const notes = aiNotes(config, env);
    return { file, ok: true, revision, routes: config.routes.length, services: Object.keys(config.services).length, errors: [], ...(notes.length ? { notes } : {}) };
  } catch (err) {
    if (err instanceof ConfigError) return { file, ok: false, errors: err.issues };
    return { file, ok: false, errors: [{ path: [], message: `cannot validate: ${(err as Error).message}` }] };
  }
}

/** For people: one `FILE:LINE:COL  path  message` line per error, then a count. */
export function formatReport(report: ValidationReport): string {
  if (report.ok) {
    const notes = (report.notes ?? []).map((n) => `note: ${n}\n`).join('');
    return `${notes}${report.file}: ok (revision ${report.revision}, ${plural(report.routes!, 'route')}, ${plural(report.services!, 'service')})\n`;
  }
  const lines = report.errors.map((issue) => formatIssue(report.file, issue));
  return lines.join('\n') + `\n${report.file}: ${plural(report.errors.length, 'error')}\n`;
}

export function runValidate(opts: { config: string; json?: boolean }): void {
  const report = validateFile(opts.config);
  process.stdout.write(opts.json ? JSON.stringify(report, null, 2) + '\n' : formatReport(report));
  if (!report.ok) process.exitCode = 1;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
