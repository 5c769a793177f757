// `pinpoint audit`: the command's flags and help; its work is in ./actions/audit.ts (see main.ts).
import { Command } from 'commander';
import { parsePositiveInt } from './option-parsers.ts';

export interface AuditCliOptions {
  config?: string;
  db?: string;
  unusedDays: number;
  expiringDays: number;
  usageDays: number;
  json?: boolean;
}

export function auditCommand(): Command {
  return new Command('audit')
    .description('Least privilege and hygiene: unused and expiring keys, routes without authentication, scopes never exercised, roles that grant nothing, deny rules that never fire')
    .option('-c, --config <file>', "the gateway's config file (its store.file and log.file are read)")
    .option('--db <file>', 'the call log SQLite file (default: the config\'s log.file)')
    .option('--unused-days <n>', 'report keys unused (or never used) for this many days', parsePositiveInt, 90)
    .option('--expiring-days <n>', 'report keys that expire within this many days', parsePositiveInt, 14)
    .option('--usage-days <n>', 'how many days of the call log show what is used', parsePositiveInt, 30)
    .option('--json', 'print the findings as JSON')
    .action(async (opts: AuditCliOptions) => (await import('./actions/audit.ts')).runAudit(opts));
}
