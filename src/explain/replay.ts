import type { CallLogReader, StoredCall } from '../calllog/types.ts';
import type { KeyIndex } from '../layers/authn/types.ts';
import { describeParsed } from './describe.ts';
import { credentialRefused, loggedRequest, scopesFromStore } from './from-log.ts';
import { dryRun } from './run.ts';
import type { ExplainTarget } from './explain.ts';

/** One logged request whose decision would change under the candidate. */
export interface ChangedDecision {
  requestId: string;
  method: string;
  path: string;
  route?: string;
  consumer?: string;
  tenant?: string;
  before: { outcome: string; code?: string };
  after: { outcome: string; code?: string };
}

export interface ReplayGroup {
  /** "newly denied", "newly allowed", "denied differently". */
  change: 'newly_denied' | 'newly_allowed' | 'denied_differently';
  code?: string;
  route?: string;
  count: number;
  consumers: string[];
  tenants: string[];
  examples: string[];
}

export interface ReplayReport {
  since: number;
  replayed: number;
  /** Entries left out: upstream errors, protocol refusals, refused credentials (redacted in the log, they cannot be checked again). */
  skipped: number;
  unchanged: number;
  changed: ChangedDecision[];
  groups: ReplayGroup[];
  tenantsNewlyDenied: number;
  caveats: string[];
}

const PAGE = 500;
const EXAMPLES = 3;

/**
 * Re-decides the logged traffic of a period under a candidate config (a dry run per entry)
 * and reports the decisions that would change. Logged requests carry no body and no secrets:
 * each is re-decided as its recorded consumer (see from-log.ts); the caveats say so.
 */
export async function replay(reader: CallLogReader, target: ExplainTarget, opts: { since: number; max?: number; keys?: KeyIndex; baseline?: ExplainTarget }): Promise<ReplayReport> {
  const max = opts.max ?? 100_000;
  const scopesOf = opts.keys ? scopesFromStore(opts.keys) : undefined;
  const report: ReplayReport = { since: opts.since, replayed: 0, skipped: 0, unchanged: 0, changed: [], groups: [], tenantsNewlyDenied: 0, caveats: [] };
  let afterRowId = 0;
  for (;;) {
    const page = reader.list({ since: opts.since, afterRowId, limit: PAGE });
    if (page.length === 0) break;
    for (const call of page) {
      afterRowId = Math.max(afterRowId, call.rowId);
      if (report.replayed + report.skipped >= max) break;
      if (!replayable(call)) {
        report.skipped++;
        continue;
      }
      const logged = loggedRequest(call, scopesOf);
      const desc = describeParsed(logged.request, { peer: call.clientIp || '127.0.0.1' });
      const { decision } = await dryRun(target.pipeline, target.revision, desc, logged.assume);
      report.replayed++;
      // With a baseline (the config in force), both sides are re-decided from the same logged
      // description, so what the log cannot hold (bodies, secrets) changes neither side.
      const base = opts.baseline ? (await dryRun(opts.baseline.pipeline, opts.baseline.revision, desc, logged.assume)).decision : call.decision;
      const before = { outcome: base.outcome, code: base.code };
      const after = { outcome: decision.outcome, code: decision.code };
      if (before.outcome === after.outcome && before.code === after.code) {
        report.unchanged++;
        continue;
      }
      report.changed.push({ requestId: call.requestId, method: call.method, path: call.path, route: call.route ?? decision.route, consumer: call.consumer, tenant: call.tenant, before, after });
    }
    if (page.length < PAGE || report.replayed + report.skipped >= max) break;
  }
  report.groups = groupChanges(report.changed);
  report.tenantsNewlyDenied = new Set(report.changed.filter((c) => c.after.outcome === 'deny' && c.before.outcome === 'allow').map((c) => c.tenant ?? '(none)')).size;
  report.caveats = opts.baseline
    ? ['both configs re-decided each logged request from what the log holds (no body, credentials redacted, each request taken to come from its recorded consumer), so only the difference between the configs shows', 'limits are read, not charged']
    : [
    'without --baseline, the candidate is compared with the logged decisions: bodies are not logged, so layers that read the body decide on an empty one',
    'credentials are redacted in the log: each request is re-decided as its recorded consumer, with its key\'s current scopes where the store has the key',
    'limits are read, not charged: the counters are those of now, not of the time of the request',
  ];
  return report;
}

/** Decisions that a config can change: those the pipeline made (not upstream failures or parser refusals). */
function replayable(call: StoredCall): boolean {
  if (call.outcome === 'error' || credentialRefused(call)) return false;
  return !(call.decision.code?.startsWith('protocol.') ?? false);
}

export function groupChanges(changed: ChangedDecision[]): ReplayGroup[] {
  const groups = new Map<string, ReplayGroup & { c: Set<string>; t: Set<string> }>();
  for (const c of changed) {
    const change = c.before.outcome === 'allow' ? 'newly_denied' : c.after.outcome === 'allow' ? 'newly_allowed' : 'denied_differently';
    const code = change === 'newly_allowed' ? c.before.code : c.after.code;
    const key = `${change}\u0000${code}\u0000${c.route}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { change, code, route: c.route, count: 0, consumers: [], tenants: [], examples: [], c: new Set(), t: new Set() }));
    g.count++;
    if (c.consumer) g.c.add(c.consumer);
    if (c.tenant) g.t.add(c.tenant);
    if (g.examples.length < EXAMPLES) g.examples.push(c.requestId);
  }
  return [...groups.values()]
    .map(({ c, t, ...g }) => ({ ...g, consumers: [...c].sort(), tenants: [...t].sort() }))
    .sort((a, b) => b.count - a.count);
}

/** "would newly deny 312 requests from 4 tenants" and one line per group. */
export function renderReplay(r: ReplayReport): string {
  const newlyDenied = r.changed.filter((c) => c.before.outcome === 'allow' && c.after.outcome === 'deny').length;
  const newlyAllowed = r.changed.filter((c) => c.before.outcome === 'deny' && c.after.outcome === 'allow').length;
  const out = [
    `Replayed ${r.replayed} logged request${r.replayed === 1 ? '' : 's'} since ${new Date(r.since).toISOString()} (${r.skipped} skipped: upstream errors, protocol refusals and refused credentials, which the log cannot replay).`,
    `The candidate would newly deny ${newlyDenied} request${newlyDenied === 1 ? '' : 's'} from ${r.tenantsNewlyDenied} tenant${r.tenantsNewlyDenied === 1 ? '' : 's'}, newly allow ${newlyAllowed}, and deny ${r.changed.length - newlyDenied - newlyAllowed} for another reason; ${r.unchanged} unchanged.`,
  ];
  if (r.groups.length) {
    out.push('', 'change              code                              route                count  consumers / tenants      examples');
    for (const g of r.groups) {
      out.push(
        `${g.change.replace('_', ' ').padEnd(20)}${(g.code ?? '').padEnd(34)}${(g.route ?? '').padEnd(21)}${String(g.count).padStart(5)}  ${`${g.consumers.slice(0, 3).join(',') || '-'} / ${g.tenants.slice(0, 3).join(',') || '-'}`.padEnd(25)}${g.examples.join(' ')}`,
      );
    }
  }
  out.push('', 'Note: ' + r.caveats.join('; ') + '.');
  return out.join('\n') + '\n';
}
