import type { EvalContext } from '../../pipeline/types.ts';
import type { Cell } from './backend.ts';
import type { LimitsPlan, PolicyPlan, QuotaPlan, RoutePlan, WindowPlan } from './compile.ts';
import type { Period } from './period.ts';
import type { KeyPart } from './schema.ts';

/** What the layer knows about a cell besides what the backend needs. */
export interface CellInfo {
  policy: PolicyPlan;
  window?: WindowPlan;
  quota?: QuotaPlan;
  period?: Period;
  /** The values of the policy's key parts, in order (shown to the operator by countedOn). */
  values: string[];
  cost: number;
}

/** The key a cell counted on, for the operator: "consumer=alice ip=10.0.0.1". */
export function countedOn(info: CellInfo): string {
  return info.policy.key.map((part, i) => `${part}=${info.values[i]}`).join(' ');
}

export interface RequestCells {
  cells: Cell[];
  infos: CellInfo[];
}

/**
 * The cells a request is checked against: one per rate window and one per quota of every
 * policy on its route, under the plan of its consumer (else its tenant). A policy whose
 * key needs a part the request lacks (a tenant, for a token without one) does not apply.
 */
export function requestCells(plan: LimitsPlan, route: RoutePlan, ctx: EvalContext, now: number): RequestCells {
  const id = ctx.identity;
  const planName = id && (plan.planOfConsumer.get(id.consumer) ?? (id.tenant !== undefined ? plan.planOfTenant.get(id.tenant) : undefined));
  const cells: Cell[] = [];
  const infos: CellInfo[] = [];
  for (const policy of route.policies) {
    const limits = (planName !== undefined && policy.byPlan.get(planName)) || policy.base;
    if (limits.unlimited) continue;
    const parts = keyParts(policy.key, ctx);
    if (!parts) continue;
    const suffix = parts.key;
    for (const w of limits.windows) {
      cells.push({ kind: 'rate', key: w.keyBase + suffix, limit: w.limit, windowMs: w.windowMs, cost: route.cost });
      infos.push({ policy, window: w, values: parts.values, cost: route.cost });
    }
    const q = limits.quota;
    if (q) {
      const period = q.clock.at(now);
      cells.push({ kind: 'quota', key: `${q.keyBase}${period.id}:${suffix}`, limit: q.limit, resetAt: period.end, cost: route.cost });
      infos.push({ policy, quota: q, period, values: parts.values, cost: route.cost });
    }
  }
  return { cells, infos };
}

function keyParts(parts: readonly KeyPart[], ctx: EvalContext): { key: string; values: string[] } | undefined {
  let key = '';
  const values: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const v = partValue(parts[i], ctx);
    if (v === undefined) return undefined;
    values.push(v);
    // Encoded when needed so that no value can pose as two parts (a consumer named "a|b").
    const safe = v.includes('|') || v.includes('%') ? encodeURIComponent(v) : v;
    key = i === 0 ? safe : key + '|' + safe;
  }
  return { key, values };
}

function partValue(part: KeyPart, ctx: EvalContext): string | undefined {
  switch (part) {
    case 'consumer':
      return ctx.identity?.consumer;
    case 'key':
      // The credential's label (key id, token jti/sub or fingerprint), never the secret itself.
      return ctx.identity?.credential;
    case 'tenant':
      return ctx.identity?.tenant;
    case 'ip':
      return ctx.req.clientIp;
    case 'route':
      return ctx.route?.id;
  }
}

/** The suspension keys checked for a request: its consumer's, then its tenant's. */
export function suspensionKeys(plan: LimitsPlan, ctx: EvalContext): { keys: string[]; who: SuspendedWho[] } {
  const id = ctx.identity;
  if (!plan.anySuspends || !id) return NO_SUSPENSIONS;
  const keys = [suspensionKey(plan.prefix, 'consumer', id.consumer)];
  const who: SuspendedWho[] = [{ what: 'consumer', name: id.consumer }];
  if (id.tenant !== undefined) {
    keys.push(suspensionKey(plan.prefix, 'tenant', id.tenant));
    who.push({ what: 'tenant', name: id.tenant });
  }
  return { keys, who };
}

export interface SuspendedWho {
  what: 'consumer' | 'tenant';
  name: string;
}

const NO_SUSPENSIONS = { keys: [] as string[], who: [] as SuspendedWho[] };

export function suspensionKey(prefix: string, what: 'consumer' | 'tenant', name: string): string {
  return `${prefix}suspended:${what}:${encodeURIComponent(name)}`;
}
