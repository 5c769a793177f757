import { renderDecision } from '../calllog/render.ts';
import type { ExplainReport } from './explain.ts';
import { renderExplainedAi } from './render-ai.ts';

const WHO: Record<string, string> = { client: 'the client', key_owner: "the key's owner", tenant_admin: 'the tenant admin', operator: 'the operator' };

/** The terminal view of an explain: the decision as `pinpoint why` shows it, then the fixes. */
export function renderReport(r: ExplainReport): string {
  const out: string[] = [];
  out.push(`Explain (dry run${r.as ? `, as consumer ${r.as}` : ''}; nothing was sent upstream or counted)`, '');
  out.push(renderDecision(r.decision));
  if (r.ai) out.push(...renderExplainedAi(r.ai, r.decision.outcome === 'deny'));
  if (r.decision.outcome === 'deny') {
    out.push('', 'What would make it pass (by who can act; proved = the changed request was run again)');
    if (r.fixes.length === 0) out.push('  (nothing known)');
    for (const f of r.fixes) {
      const status = f.proved ? (f.after?.outcome === 'allow' ? 'proved: then allowed' : `proved past this denial: then ${f.after?.code} refuses`) : 'heuristic (not tried)';
      out.push(`  - ${WHO[f.who]}: ${f.action}  [${status}]`);
    }
    if (r.triedWithoutEffect) out.push(`  (${r.triedWithoutEffect} other change${r.triedWithoutEffect === 1 ? '' : 's'} tried did not get past the denial)`);
  }
  return out.join('\n') + '\n';
}
