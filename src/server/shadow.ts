import type { Decision } from '../decision/types.ts';
import type { Pipeline } from '../pipeline/pipeline.ts';
import type { RequestDescription } from '../pipeline/types.ts';
import { dryRun } from '../explain/run.ts';

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
  // dryRun copies the description before it starts, synchronously: forwarding may strip it afterwards.
  return dryRun(shadow.pipeline, shadow.revision, req, undefined, { disposition: 'shadow', requestId }).then(
    ({ decision: d }) => ({ revision: shadow.revision, outcome: d.outcome, code: d.code, layer: d.layer, ruleId: d.rule?.id }),
    () => undefined,
  );
}

/** Puts the shadow's decision on the live one when they differ (the call log keeps it). */
export function noteShadowDecision(live: Decision, shadow: ShadowDecision | undefined): void {
  if (shadow && (shadow.outcome !== live.outcome || shadow.code !== live.code)) live.shadowDecision = shadow;
}
