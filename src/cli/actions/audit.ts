// The work of `pinpoint audit` (the command is defined in ../audit.ts).
import { existsSync } from 'node:fs';
import { renderAudit, runAudit as audit } from '../../audit/audit.ts';
import { CallAggregates } from '../../calllog/aggregate.ts';
import type { AuditCliOptions } from '../audit.ts';
import { logFileFrom } from '../log-source.ts';
import { storeFromConfig } from '../store-source.ts';

export async function runAudit(opts: AuditCliOptions): Promise<void> {
  const { config, store } = await storeFromConfig(opts.config);
  let log: CallAggregates | undefined;
  try {
    const keys = await store.listKeys();
    const file = logFileFrom({ ...(opts.config ? { config: opts.config } : {}), ...(opts.db ? { db: opts.db } : {}) }, () => {});
    if (existsSync(file)) log = new CallAggregates(file);
    const result = audit(config, keys, log, { now: Date.now(), unusedDays: opts.unusedDays, expiringDays: opts.expiringDays, usageDays: opts.usageDays });
    process.stdout.write(opts.json ? JSON.stringify(result, null, 2) + '\n' : renderAudit(result));
    if (result.findings.some((f) => f.severity === 'high')) process.exitCode = 2;
  } finally {
    log?.close();
    await store.close();
  }
}
