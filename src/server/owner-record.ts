// owner.record: after a create route's answer was relayed, the caller is recorded as the owner
// of the new resource (src/layers/authz/record.ts says where its id is). owner.store.release:
// after the owner's DELETE was answered 2xx, the resource's record is removed. The client's
// response is never delayed or changed by either: the store is written once the answer is out,
// and a write that fails is reported and noted in the call log, never lost in silence.
import type { ServerResponse } from 'node:http';
import type { Config } from '../config/schema.ts';
import type { Decision } from '../decision/types.ts';
import type { OwnerRecords } from '../layers/authz/owner-records.ts';
import { compileRecordPlans, createdId, RECORD_BODY_LIMIT, type RecordPlan } from '../layers/authz/record.ts';
import type { EvalContext } from '../pipeline/types.ts';
import type { ProxyOutcome } from '../proxy/types.ts';
import { StoreError } from '../store/types.ts';

export interface OwnerRecording {
  plans: ReadonlyMap<string, RecordPlan>;
  owners?: OwnerRecords;
  report(message: string): void;
}

/** The recording of a config revision, or undefined when no route records or releases owners. */
export function ownerRecording(config: Config, owners: OwnerRecords | undefined, report?: (m: string) => void): OwnerRecording | undefined {
  const plans = compileRecordPlans(config);
  if (plans.size === 0 && !config.routes.some((r) => r.authz?.owner?.store?.release.length)) return undefined;
  return { plans, owners, report: report ?? ((m) => process.stderr.write(m + '\n')) };
}

/** The plan that applies to this allowed request (its route records owners on this method), if any. */
export function recordPlanFor(rec: OwnerRecording | undefined, ctx: EvalContext): RecordPlan | undefined {
  const plan = rec?.plans.get(ctx.route!.id);
  return plan && plan.methods.has(ctx.req.method) ? plan : undefined;
}

/** How much of the answer to keep for the id (nothing when it is read from Location). */
export function captureFor(plan: RecordPlan | undefined): number | undefined {
  return plan?.pointer ? RECORD_BODY_LIMIT : undefined;
}

/**
 * Records the owner when the upstream answered 2xx, and says what happened in the decision.
 * The write starts at once (the SQLite store writes before the next request is read); the
 * promise settles when the store has answered, before the call log entry is written.
 */
export function recordOwner(rec: OwnerRecording, plan: RecordPlan, ctx: EvalContext, decision: Decision, outcome: ProxyOutcome, res: ServerResponse): Promise<void> | undefined {
  const status = outcome.upstreamStatus;
  if (status === undefined || status < 200 || status >= 300) return undefined;
  const id = ctx.identity!;
  const note = (n: NonNullable<Decision['ownerRecord']>) => {
    decision.ownerRecord = n;
    if (n.outcome === 'failed' || n.outcome === 'conflict') rec.report(`owner record ${n.outcome} (request ${decision.requestId}, route ${ctx.route!.id}): ${n.detail}`);
  };
  const location = res.getHeader('location');
  const read = createdId(plan, {
    location: typeof location === 'string' ? location : undefined,
    body: outcome.body,
    bodyIncomplete: outcome.bodyNotKept ?? (outcome.error ? `the answer was not relayed whole (${outcome.error})` : undefined),
  });
  if ('failed' in read) {
    note({ resource: plan.resource, outcome: 'failed', detail: `the upstream answered ${status} but ${read.failed} (owner.record reads ${plan.from}): nothing recorded` });
    return Promise.resolve();
  }
  if (!rec.owners) {
    note({ resource: plan.resource, id: read.id, outcome: 'failed', detail: 'no ownership store is open in this process: nothing recorded' });
    return Promise.resolve();
  }
  const who = `${id.consumer} of tenant ${id.tenant ?? '(none)'}`;
  return rec.owners.recordOwner({ resource: plan.resource, id: read.id, consumer: id.consumer, tenant: id.tenant, requestId: decision.requestId, route: ctx.route!.id }).then(
    ({ outcome: o, record }) => {
      const detail =
        o === 'created'
          ? `${plan.resource} ${JSON.stringify(read.id)} recorded as created by ${who}`
          : o === 'unchanged'
            ? `${plan.resource} ${JSON.stringify(read.id)} was already recorded as ${who}'s`
            : `${plan.resource} ${JSON.stringify(read.id)} is recorded as ${record.consumer}'s (tenant ${record.tenant ?? '(none)'}), not ${who}'s; kept (a record never changes owner by itself: pinpoint owners set does it)`;
      note({ resource: plan.resource, id: read.id, outcome: o, detail });
    },
    (err: Error) => note({ resource: plan.resource, id: read.id, outcome: 'failed', detail: `recording ${plan.resource} ${JSON.stringify(read.id)} as ${who}'s failed: ${err.message}` }),
  );
}

/**
 * Removes the record of a resource its owner deleted (owner.store.release), when the upstream
 * answered 2xx: its id is free to be created again, by anyone. The removal is audited like an
 * operator's (actor: the gateway, with the request id). A record already gone (two deletes at
 * once) is not a failure.
 */
export function releaseOwner(rec: OwnerRecording, release: { resource: string; id: string }, ctx: EvalContext, decision: Decision, outcome: ProxyOutcome): Promise<void> | undefined {
  const status = outcome.upstreamStatus;
  if (status === undefined || status < 200 || status >= 300) return undefined;
  const { resource, id } = release;
  const what = `${resource} ${JSON.stringify(id)}`;
  const note = (n: NonNullable<Decision['ownerRecord']>) => {
    decision.ownerRecord = n;
    if (n.outcome === 'failed') rec.report(`owner record release failed (request ${decision.requestId}, route ${ctx.route!.id}): ${n.detail}`);
  };
  if (!rec.owners) {
    note({ resource, id, outcome: 'failed', detail: `the upstream answered ${status} to ${ctx.req.method} but no ownership store is open in this process: the record of ${what} was kept` });
    return Promise.resolve();
  }
  return rec.owners.deleteOwner(resource, id, `gateway (request ${decision.requestId}, route ${ctx.route!.id})`).then(
    (before) => note({ resource, id, outcome: 'released', detail: `${what} deleted by its owner (${ctx.req.method} answered ${status}): the record of ${before.consumer} was removed` }),
    (err: Error) =>
      err instanceof StoreError && err.kind === 'not_found'
        ? note({ resource, id, outcome: 'released', detail: `${what} deleted (${ctx.req.method} answered ${status}); its record was already gone` })
        : note({ resource, id, outcome: 'failed', detail: `removing the record of ${what} after ${ctx.req.method} answered ${status} failed: ${err.message}; it was kept` }),
  );
}
