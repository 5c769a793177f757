import type { Decision } from '../decision/types.ts';
import type { Pipeline } from '../pipeline/pipeline.ts';
import type { EvalContext, RequestDescription } from '../pipeline/types.ts';

/** What the shadow candidate decided, recorded on the live decision where the two differ. */
export interface ShadowDecision {
  revision: string;
  outcome: 'allow' | 'deny';
  code?: string;
  layer?: string;
  ruleId?: string;
}

/**
 * Runs the shadow candidate's pipeline on the live request as a dry run (nothing counted, no
 * body read that the live pipeline did not read) and resolves to its decision. It never
 * throws: a failing candidate must not touch live traffic.
 */
export function runShadow(shadow: { pipeline: Pipeline; revision: string }, req: RequestDescription, requestId: string): Promise<ShadowDecision | undefined> {
  const copy: RequestDescription = { ...req, headers: { ...req.headers } };
  const ctx: EvalContext = { req: copy, audience: 'anyone', dryRun: true };
  try {
    return Promise.resolve(shadow.pipeline.run(copy, { requestId, disposition: 'shadow', configRevision: shadow.revision }, ctx)).then(
      (d) => ({ revision: shadow.revision, outcome: d.outcome, code: d.code, layer: d.layer, ruleId: d.rule?.id }),
      () => undefined,
    );
  } catch {
    return Promise.resolve(undefined);
  }
}

/** Puts the shadow's decision on the live one when they differ (the call log keeps it). */
export function noteShadowDecision(live: Decision, shadow: ShadowDecision | undefined): void {
  if (shadow && (shadow.outcome !== live.outcome || shadow.code !== live.code)) live.shadowDecision = shadow;
}
