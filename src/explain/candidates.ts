import type { Config } from '../config/schema.ts';
import type { FixActor } from '../decision/types.ts';
import type { Assumed, RequestDescription } from '../pipeline/types.ts';
import { authnProposals } from './proposers/authn.ts';
import { authzProposals } from './proposers/authz.ts';
import { ipProposals } from './proposers/ip.ts';
import { methodProposals } from './proposers/method.ts';
import { wafProposals } from './proposers/waf.ts';
import type { Trial } from './run.ts';

/**
 * A change that might let a denied request through: to the request (what the client can
 * do), to who sends it (a credential with other scopes), or to the config (what the tenant
 * admin or operator can do). Explain tries each by running the changed request again.
 */
export interface Candidate {
  who: FixActor;
  action: string;
  request?: (req: RequestDescription) => RequestDescription;
  assume?: Assumed;
  config?: (config: Config) => Config;
}

/** What explain knows of a denial, to propose changes: the trial that was denied and the config. */
export interface DenialCase {
  trial: Trial;
  config: Config;
  /** --as: the consumer the user asked about, if any. */
  as?: string;
}

type Proposer = (c: DenialCase) => Candidate[];

/**
 * Proposers by the layer of the denying code (a code's prefix is its layer), one file each in
 * src/explain/proposers. A layer with no proposer still has its own fixes in the decision;
 * explain shows them as not tried.
 */
const PROPOSERS: Record<string, Proposer> = {
  method: methodProposals,
  ip: ipProposals,
  waf: wafProposals,
  authn: authnProposals,
  authz: authzProposals,
};

export function proposals(c: DenialCase): Candidate[] {
  const layer = c.trial.decision.layer;
  return layer && PROPOSERS[layer] ? PROPOSERS[layer](c) : [];
}
