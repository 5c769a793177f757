import { randomBytes } from 'node:crypto';
import type { Decision, Disposition } from '../decision/types.ts';
import type { Pipeline } from '../pipeline/pipeline.ts';
import type { Assumed, EvalContext, RequestDescription } from '../pipeline/types.ts';

/** One dry run of a request through a pipeline, with the context the layers left behind. */
export interface Trial {
  decision: Decision;
  ctx: EvalContext;
}

/**
 * Runs the request through the same pipeline live traffic uses, as a dry run: nothing is
 * sent upstream, no limit is charged, no last-used time written (ctx.dryRun). The description
 * is copied first, so that trials never see each other's changes.
 */
export async function dryRun(
  pipeline: Pipeline,
  revision: string,
  req: RequestDescription,
  assume?: Assumed,
  as: { disposition: Disposition; requestId: string } = { disposition: 'explain', requestId: `explain_${randomBytes(6).toString('hex')}` },
): Promise<Trial> {
  const copy: RequestDescription = { ...req, headers: { ...req.headers } };
  const ctx: EvalContext = { req: copy, audience: 'anyone', dryRun: true, assume };
  const decision = await pipeline.run(copy, { requestId: as.requestId, disposition: as.disposition, configRevision: revision }, ctx);
  return { decision, ctx };
}
