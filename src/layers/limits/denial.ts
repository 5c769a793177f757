import type { Denial, Evidence } from '../../decision/types.ts';
import type { CellOutcome, SuspensionRecord } from './backend.ts';
import { countedOn, type CellInfo, type SuspendedWho } from './cells.ts';
import type { LimitsPlan } from './compile.ts';
import { limitHeaders, seconds } from './headers.ts';

function windowText(info: CellInfo): string {
  return info.window ? `${info.window.limit} per ${info.window.windowS} s` : `${info.quota!.limit} per UTC ${info.quota!.period}`;
}

function ruleId(info: CellInfo): string {
  return info.window ? `limits.policies.${info.policy.name}.rate[${info.window.windowS}s]` : `limits.policies.${info.policy.name}.quota`;
}

/** 429 for the cells that refused: rate_exceeded, or quota_exhausted when a quota is among them. */
export function exceededDenial(plan: LimitsPlan, infos: readonly CellInfo[], outcomes: readonly CellOutcome[], now: number): Denial {
  const violated: number[] = [];
  let waitMs = 0;
  for (let i = 0; i < outcomes.length; i++) {
    if (outcomes[i].allowed) continue;
    violated.push(i);
    waitMs = Math.max(waitMs, outcomes[i].retryAfterMs);
  }
  const quota = violated.find((i) => infos[i].quota);
  const lead = infos[quota ?? violated[0]];
  // Whole seconds rounded up, at least 1: never earlier than the real reset.
  const retryAfterS = Math.max(1, seconds(waitMs));
  const freesAt = new Date(now + retryAfterS * 1000).toISOString();
  const evidence: Evidence[] = violated.map((i) => ({
    where: `limits:${infos[i].policy.name} (${countedOn(infos[i])})`,
    expected: `at most ${windowText(infos[i])}`,
    observed: `${outcomes[i].used} of ${infos[i].window?.limit ?? infos[i].quota!.limit} used, this request costs ${infos[i].cost}; frees in ${(outcomes[i].retryAfterMs / 1000).toFixed(3)} s (${new Date(now + outcomes[i].retryAfterMs).toISOString()})`,
  }));
  const names = [...new Set(violated.map((i) => infos[i].policy.name))];
  const headers = limitHeaders(plan, infos, outcomes, { 'retry-after': String(retryAfterS) });
  const isQuota = quota !== undefined;
  return {
    code: isQuota ? 'limits.quota_exhausted' : 'limits.rate_exceeded',
    ruleId: ruleId(lead),
    ruleName: lead.policy.name,
    detail: `${isQuota ? 'Quota used up' : 'Rate limit exceeded'}: ${violated.map((i) => `${infos[i].policy.name} allows ${windowText(infos[i])} for ${countedOn(infos[i])} (${outcomes[i].used} used)`).join('; ')}. Frees at ${new Date(now + waitMs).toISOString()}; Retry-After ${retryAfterS} s (rounded up).`,
    hint: isQuota
      ? `The quota of policy ${lead.policy.name} (${windowText(lead)}) is used up until ${freesAt}; retry after ${retryAfterS} s.`
      : `Too many requests for policy ${names.join(', ')}; retry after ${retryAfterS} s.`,
    evidence,
    fixes: [
      { who: 'client', action: `Wait ${retryAfterS} s (Retry-After) before sending this request again, and pace requests by the RateLimit headers.`, proved: false, retryable: true, retryAfterS },
      isQuota
        ? { who: 'tenant_admin', action: `Move the consumer or tenant to a plan with a larger quota for policy ${lead.policy.name}.`, proved: false, retryable: false }
        : { who: 'operator', action: `Raise limits.policies.${lead.policy.name}.rate, or give this consumer or tenant a plan with more.`, proved: false, retryable: false },
    ],
    headers,
    extensions: {
      violated_policies: violated.map((i) => ({
        policy: infos[i].policy.name,
        window: infos[i].window ? `${infos[i].window!.windowS}s` : infos[i].quota!.period,
        limit: infos[i].window?.limit ?? infos[i].quota!.limit,
        remaining: outcomes[i].remaining,
        reset_s: seconds(outcomes[i].retryAfterMs),
      })),
    },
  };
}

/** 403 for a consumer or tenant that limits suspended: waiting does not fix it. */
export function suspendedDenial(plan: LimitsPlan, who: SuspendedWho, record: SuspensionRecord, key: string): Denial {
  return {
    code: who.what === 'consumer' ? 'limits.consumer_suspended' : 'limits.tenant_suspended',
    ruleId: `limits.suspended.${who.what}`,
    detail: `The ${who.what} ${who.name} is suspended since ${new Date(record.at).toISOString()}: ${record.reason}. It stays suspended until an operator lifts it (${liftHow(plan, who, key)}).`,
    hint: `This ${who.what === 'consumer' ? 'account' : 'organisation'} is suspended for exceeding its plan. Waiting does not lift it: contact the API owner.`,
    evidence: [{ where: `${who.what}:${who.name}`, expected: 'not suspended', observed: `suspended at ${new Date(record.at).toISOString()} (${record.reason})` }],
    fixes: [{ who: 'operator', action: `Lift the suspension once the plan is settled: ${liftHow(plan, who, key)}.`, proved: false, retryable: false }],
  };
}

function liftHow(plan: LimitsPlan, who: SuspendedWho, key: string): string {
  return plan.backend === 'redis'
    ? `pinpoint limits lift ${who.what} ${who.name} -c <config>, or delete the Redis key ${key}`
    : 'restart the gateway: the memory backend keeps suspensions in this process only';
}

/** 503 when Redis cannot be reached and a policy on the route fails closed. */
export function unavailableDenial(policies: readonly string[], reason: string): Denial {
  return {
    code: 'limits.backend_unavailable',
    ruleId: `limits.policies.${policies[0]}.failMode`,
    ruleName: policies[0],
    detail: `The limit counters could not be reached (${reason}); ${policies.join(', ')} ${policies.length === 1 ? 'fails' : 'fail'} closed.`,
    hint: 'The rate limit could not be checked just now; retry shortly.',
    evidence: [{ where: 'limits:backend', expected: 'Redis answers', observed: reason }],
    fixes: [
      { who: 'client', action: 'Retry in a few seconds.', proved: false, retryable: true, retryAfterS: 1 },
      { who: 'operator', action: 'Bring Redis back (limits.redis.url), or set failMode: open on these policies to let requests through uncounted while it is down.', proved: false, retryable: false },
    ],
    headers: { 'retry-after': '1' },
  };
}
