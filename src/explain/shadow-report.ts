import type { CallLogReader } from '../calllog/types.ts';
import { groupChanges, type ChangedDecision, type ReplayGroup } from './replay.ts';

export interface ShadowReport {
  since: number;
  /** Entries read in the period. */
  seen: number;
  /** Entries on which the shadow candidate decided differently. */
  differing: number;
  /** Revisions of the shadow candidate that made those decisions. */
  revisions: string[];
  groups: ReplayGroup[];
  newlyDenied: number;
  newlyAllowed: number;
  tenantsNewlyDenied: number;
}

const PAGE = 1000;

/**
 * What the shadow candidate (shadow.config) would have done differently to live traffic,
 * read from the call log: grouped by change, code and route, with consumers and examples.
 */
export function shadowReport(reader: CallLogReader, since: number, max = 1_000_000): ShadowReport {
  const changed: ChangedDecision[] = [];
  const revisions = new Set<string>();
  let seen = 0;
  let afterRowId = 0;
  for (;;) {
    const page = reader.list({ since, afterRowId, limit: PAGE });
    for (const call of page) {
      afterRowId = Math.max(afterRowId, call.rowId);
      seen++;
      const s = call.decision.shadowDecision;
      if (!s) continue;
      revisions.add(s.revision);
      changed.push({
        requestId: call.requestId,
        method: call.method,
        path: call.path,
        route: call.route,
        consumer: call.consumer,
        tenant: call.tenant,
        before: { outcome: call.decision.outcome, code: call.decision.code },
        after: { outcome: s.outcome, code: s.code },
      });
    }
    if (page.length < PAGE || seen >= max) break;
  }
  const newly = changed.filter((c) => c.before.outcome === 'allow' && c.after.outcome === 'deny');
  return {
    since,
    seen,
    differing: changed.length,
    revisions: [...revisions],
    groups: groupChanges(changed),
    newlyDenied: newly.length,
    newlyAllowed: changed.filter((c) => c.before.outcome === 'deny' && c.after.outcome === 'allow').length,
    tenantsNewlyDenied: new Set(newly.map((c) => c.tenant ?? '(none)')).size,
  };
}

export function renderShadowReport(r: ShadowReport): string {
  const out = [
    `Shadow mode since ${new Date(r.since).toISOString()}: ${r.seen} request${r.seen === 1 ? '' : 's'} seen, ${r.differing} decided differently by the candidate${r.revisions.length ? ` (revision ${r.revisions.join(', ')})` : ''}.`,
    `Turning it on would newly deny ${r.newlyDenied} request${r.newlyDenied === 1 ? '' : 's'} from ${r.tenantsNewlyDenied} tenant${r.tenantsNewlyDenied === 1 ? '' : 's'} and newly allow ${r.newlyAllowed}.`,
  ];
  if (r.groups.length) {
    out.push('', 'change              code                              route                count  consumers                 examples');
    for (const g of r.groups) {
      out.push(`${g.change.replace('_', ' ').padEnd(20)}${(g.code ?? '').padEnd(34)}${(g.route ?? '').padEnd(21)}${String(g.count).padStart(5)}  ${(g.consumers.slice(0, 3).join(',') || '-').padEnd(26)}${g.examples.join(' ')}`);
    }
  }
  return out.join('\n') + '\n';
}
