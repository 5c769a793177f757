import type { DecisionCode, DenyKind } from './codes.ts';

/** Where a piece of evidence was read: "header:Origin", "path", "method", "body:/items/2/note", "ip:derived". */
export interface Evidence {
  where: string;
  expected: string;
  /** Already redacted by the layer that produced it. */
  observed: string;
}

export type FixActor = 'client' | 'key_owner' | 'tenant_admin' | 'operator';

export interface Fix {
  who: FixActor;
  action: string;
  /** True only when the changed request was run through the pipeline again and passed. */
  proved: boolean;
  retryable: boolean;
  retryAfterS?: number;
}

/** What a layer says when it refuses. Status, title and layer come from the code table. */
export interface Denial {
  code: DecisionCode;
  ruleId: string;
  ruleName?: string;
  ruleSource?: string;
  /** For the operator: what exactly was wrong. */
  detail: string;
  /** For the caller, where the code's disclosure level allows it. */
  hint?: string;
  evidence: Evidence[];
  fixes: Fix[];
  /** Extra response headers the spec demands (e.g. Allow on 405). Sent to every audience. */
  headers?: Record<string, string>;
  /** Extra problem members safe for the caller audience (e.g. required scopes). */
  extensions?: Record<string, unknown>;
  denyKind?: DenyKind;
}

export type TraceVerdict = 'pass' | 'deny' | 'would_deny' | 'skipped';

export interface TraceEntry {
  layer: string;
  verdict: TraceVerdict;
  ruleId?: string;
  code?: string;
  us: number;
}

/** A denial a report-only rule would have made, as the decision records it. */
export interface ShadowDenial {
  layer: string;
  code: DecisionCode;
  ruleId: string;
  detail: string;
  evidence: Evidence[];
}

export type Disposition = 'enforce' | 'shadow' | 'explain';

export interface Decision {
  requestId: string;
  correlationId?: string;
  at: string;
  configRevision: string;
  disposition: Disposition;
  outcome: 'allow' | 'deny';
  /** The status the gateway answered with (for an allow, filled in from the upstream later). */
  status: number;
  code?: DecisionCode;
  layer?: string;
  rule?: { id: string; name?: string; source?: string };
  denyKind?: DenyKind;
  detail?: string;
  hint?: string;
  evidence: Evidence[];
  fixes: Fix[];
  alsoWouldDeny: string[];
  /** What report-only rules (detection-only WAF, shadow policies) would have denied; not enforced. */
  shadow?: ShadowDenial[];
  /** Shadow mode: what the candidate config decided, when it differs from this decision. */
  shadowDecision?: { revision: string; outcome: 'allow' | 'deny'; code?: string; layer?: string; ruleId?: string };
  trace: TraceEntry[];
  consumer?: string;
  tenant?: string;
  credential?: string;
  route?: string;
  method: string;
  path: string;
  /** Response headers and problem members carried from the denial. */
  headers?: Record<string, string>;
  extensions?: Record<string, unknown>;
  /** Set when a layer answered an allowed request itself (a CORS preflight): nothing was forwarded. */
  answer?: { status: number };
  /**
   * owner.record on a create route: what the gateway recorded about the resource the request
   * created, after the answer was relayed (failed: why nothing was recorded); owner.store.release
   * on a delete route: the record removed (released) or why it was not.
   */
  ownerRecord?: { resource: string; id?: string; outcome: 'created' | 'unchanged' | 'conflict' | 'released' | 'failed'; detail: string };
}
