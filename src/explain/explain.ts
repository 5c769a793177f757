import type { Config } from '../config/schema.ts';
import type { Decision, FixActor } from '../decision/types.ts';
import type { Pipeline } from '../pipeline/pipeline.ts';
import type { Assumed, RequestDescription } from '../pipeline/types.ts';
import { explainedAi, type ExplainedAi } from './ai.ts';
import { proposals, type Candidate } from './candidates.ts';
import { dryRun, type Trial } from './run.ts';

/** A config to decide with: the running gateway's, or a candidate file's. */
export interface ExplainTarget {
  config: Config;
  revision: string;
  pipeline: Pipeline;
  /** Compiles a changed config with the same stores, to try fixes that change the config. */
  compile(config: Config): Pipeline;
}

export interface ExplainOptions {
  /** "What if this consumer sent it": taken as authenticated (scopes: every scope; roles limit). */
  as?: string;
  /** Who the request is taken to come from, in full (a logged request's recorded caller). */
  assume?: Assumed;
}

export interface ExplainedFix {
  who: FixActor;
  action: string;
  /** True only when the changed request was run through the pipeline again and got past this denial. */
  proved: boolean;
  /** explain: found and tried by explain; layer: proposed by the layer that denied (not tried). */
  source: 'explain' | 'layer';
  /** For a proved fix: what the changed request got (allowed, or refused later by another layer). */
  after?: { outcome: 'allow' | 'deny'; code?: string };
  retryable?: boolean;
  retryAfterS?: number;
}

export interface ExplainReport {
  decision: Decision;
  /** Ranked: by who can act (client, key owner, tenant admin, operator), proved ones first. */
  fixes: ExplainedFix[];
  /** Changes explain tried that did not get past the denial. */
  triedWithoutEffect: number;
  as?: string;
  /** An AI route: the alias, the estimate its budgets were checked with and where they stand. */
  ai?: ExplainedAi;
}

const ACTOR_ORDER: Record<FixActor, number> = { client: 0, key_owner: 1, tenant_admin: 2, operator: 3 };

/**
 * Decides a request as the gateway would (a dry run of the same pipeline) and, for a denial,
 * tries the changes that could let it through, each by running the changed request again.
 */
export async function explain(target: ExplainTarget, req: RequestDescription, opts: ExplainOptions = {}): Promise<ExplainReport> {
  const assume: Assumed | undefined = opts.as !== undefined ? { consumer: opts.as, credential: `explain:as:${opts.as}`, scopes: ['*'] } : opts.assume;
  const trial = await dryRun(target.pipeline, target.revision, req, assume);
  const { decision } = trial;
  const ai = explainedAi(trial.ctx);
  const extra = ai ? { ai } : {};
  if (decision.outcome === 'allow') return { decision, fixes: [], triedWithoutEffect: 0, as: opts.as, ...extra };

  const proved: ExplainedFix[] = [];
  let tried = 0;
  for (const candidate of proposals({ trial, config: target.config, as: opts.as ?? opts.assume?.consumer })) {
    const after = await attempt(target, req, assume, candidate);
    if (after === undefined) continue;
    if (after.decision.code === decision.code) {
      tried++;
      continue;
    }
    proved.push({ who: candidate.who, action: candidate.action, proved: true, source: 'explain', after: { outcome: after.decision.outcome, code: after.decision.code } });
  }
  const fromLayer: ExplainedFix[] = decision.fixes.map((f) => ({ who: f.who, action: f.action, proved: false, source: 'layer', retryable: f.retryable, retryAfterS: f.retryAfterS }));
  const fixes = [...proved, ...fromLayer].sort((a, b) => ACTOR_ORDER[a.who] - ACTOR_ORDER[b.who] || Number(b.proved) - Number(a.proved));
  return { decision, fixes, triedWithoutEffect: tried, as: opts.as, ...extra };
}

async function attempt(target: ExplainTarget, req: RequestDescription, assume: Assumed | undefined, c: Candidate): Promise<Trial | undefined> {
  let pipeline = target.pipeline;
  if (c.config) {
    try {
      pipeline = target.compile(c.config(target.config));
    } catch {
      return undefined; // the changed config does not compile: not a fix
    }
  }
  return dryRun(pipeline, target.revision, c.request ? c.request(req) : req, c.assume ?? assume);
}
