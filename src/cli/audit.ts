import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { renderAudit, runAudit } from '../audit/audit.ts';
import { CallAggregates } from '../calllog/aggregate.ts';
import { logFileFrom } from './log-source.ts';
import { parsePositiveInt } from './option-parsers.ts';
import { storeFromConfig } from './store-source.ts';

interface AuditCliOptions {
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
    .action(async (opts: AuditCliOptions) => {
      const { config, store } = await storeFromConfig(opts.config);
      let log: CallAggregates | undefined;
      try {
        const keys = await store.listKeys();
        const file = logFileFrom({ ...(opts.config ? { config: opts.config } : {}), ...(opts.db ? { db: opts.db } : {}) }, () => {});
        if (existsSync(file)) log = new CallAggregates(file);
        const result = runAudit(config, keys, log, { now: Date.now(), unusedDays: opts.unusedDays, expiringDays: opts.expiringDays, usageDays: opts.usageDays });
        process.stdout.write(opts.json ? JSON.stringify(result, null, 2) + '\n' : renderAudit(result));
        if (result.findings.some((f) => f.severity === 'high')) process.exitCode = 2;
      } finally {
        log?.close();
        await store.close();
      }
    });
}
