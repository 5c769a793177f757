// pinpoint audit: every check over the config, the credential store and (when there is one)
// the call log, findings sorted by severity.
import type { CallAggregates } from '../calllog/aggregate.ts';
import type { Config } from '../config/schema.ts';
import type { StoredKey } from '../store/types.ts';
import { auditDenyRules, auditRoles, auditScopes } from './authz.ts';
import { auditKeys } from './keys.ts';
import { auditRoutes } from './routes.ts';
import { auditShadowedAllows, auditTenantOverlaps } from './shadowing.ts';
import { SEVERITY_ORDER, type Finding } from './types.ts';

export interface AuditOptions {
  now: number;
  unusedDays: number;
  expiringDays: number;
  /** How far back the call log is read for usage (scopes, deny rules). */
  usageDays: number;
}

export interface AuditResult {
  findings: Finding[];
  /** Checks that could not run, and why (no call log). */
  skipped: string[];
}

export function runAudit(config: Config, keys: readonly StoredKey[], log: CallAggregates | undefined, o: AuditOptions): AuditResult {
  const findings = [...auditKeys(keys, o), ...auditRoutes(config), ...auditRoles(config), ...auditShadowedAllows(config), ...auditTenantOverlaps(config)];
  const skipped: string[] = [];
  if (log) {
    const from = o.now - o.usageDays * 86_400_000;
    findings.push(...auditScopes(config, keys, log.credentialUse(from, o.now), o.usageDays));
    findings.push(...auditDenyRules(config, log.ruleHits('authz.explicit_deny', from, o.now), o.usageDays));
  } else {
    skipped.push('scopes never exercised and deny rules that never fire need the call log, which was not found');
  }
  findings.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || a.check.localeCompare(b.check) || a.subject.localeCompare(b.subject));
  return { findings, skipped };
}

export function renderAudit(r: AuditResult): string {
  const out: string[] = [];
  const counts = (['high', 'medium', 'low', 'info'] as const).map((s) => `${r.findings.filter((f) => f.severity === s).length} ${s}`);
  out.push(`${r.findings.length} finding${r.findings.length === 1 ? '' : 's'} (${counts.join(', ')})`);
  for (const f of r.findings) {
    out.push('', `[${f.severity}] ${f.check}  ${f.subject}`, `  ${f.message}`, `  fix: ${f.suggestion}`);
  }
  for (const s of r.skipped) out.push('', `not checked: ${s}`);
  return out.join('\n') + '\n';
}
