import type { Config } from '../../config/schema.ts';
import type { Denial } from '../../decision/types.ts';
import type { EvalContext, Layer, LayerResult } from '../../pipeline/types.ts';
import { SKIP } from '../../pipeline/types.ts';
import type { CheckResult, LimitBackend } from './backend.ts';
import { requestCells, suspensionKeys, type CellInfo, type SuspendedWho } from './cells.ts';
import { compileLimits, type LimitsPlan } from './compile.ts';
import type { LimitsDeps } from './deps.ts';
import { exceededDenial, suspendedDenial, unavailableDenial } from './denial.ts';
import { limitHeaders } from './headers.ts';
import { MemoryBackend } from './memory-backend.ts';

export type { LimitsDeps } from './deps.ts';

/**
 * The limits layer, compiled from the config; undefined when no route uses it, so that a
 * config without it pays nothing. It holds only plans: the counters are in deps (kept
 * across reloads). It is last in the pipeline and marked callsOut, so it never runs (and
 * never counts) once an earlier layer refused the request.
 */
export function limitsLayer(config: Config, deps?: LimitsDeps): Layer | undefined {
  const plan = compileLimits(config, process.env);
  if (plan.routes.size === 0) return undefined;
  // Without deps (checking a config on its own) nothing is connected: a throwaway memory
  // backend decides, and the redis backend is never opened.
  const backend: LimitBackend = !deps ? new MemoryBackend() : plan.backend === 'redis' ? deps.redis(plan.redis) : deps.memory;
  const clock = deps?.clock ?? Date.now;
  const report = deps?.report ?? (() => {});
  return {
    name: 'limits',
    callsOut: true,
    evaluate(ctx: EvalContext): LayerResult | Promise<LayerResult> {
      const route = ctx.route;
      if (!route) return SKIP;
      const routePlan = plan.routes.get(route.id);
      const susp = suspensionKeys(plan, ctx);
      if (!routePlan && susp.keys.length === 0) return undefined;
      const now = clock();
      const { cells, infos } = routePlan ? requestCells(plan, routePlan, ctx, now) : { cells: [], infos: [] };
      if (cells.length === 0 && susp.keys.length === 0) return undefined;
      const charge = !ctx.dryRun;
      let checked: CheckResult | Promise<CheckResult>;
      try {
        checked = backend.check(now, cells, susp.keys, charge);
      } catch (err) {
        return failMode(infos, err);
      }
      // No closures on the synchronous (memory) path: this runs on every limited request.
      if (!(checked instanceof Promise)) return decision(plan, backend, ctx, checked, infos, susp, now, charge, report);
      return checked.then(
        (r) => decision(plan, backend, ctx, r, infos, susp, now, charge, report),
        (err: unknown) => failMode(infos, err),
      );
    },
  };
}

function decision(
  plan: LimitsPlan,
  backend: LimitBackend,
  ctx: EvalContext,
  r: CheckResult,
  infos: CellInfo[],
  susp: { keys: string[]; who: SuspendedWho[] },
  now: number,
  charge: boolean,
  report: (m: string) => void,
): LayerResult | Promise<LayerResult> {
  if (r.suspended) {
    const i = r.suspended.index;
    return suspendedDenial(plan, susp.who[i], r.suspended.record, susp.keys[i]);
  }
  if (r.admitted) {
    if (plan.headers.onAllow && infos.length) ctx.responseHeaders = limitHeaders(plan, infos, r.cells, ctx.responseHeaders);
    return undefined;
  }
  const suspending = r.cells.findIndex((o, i) => !o.allowed && infos[i].quota?.onExhausted === 'suspend');
  if (suspending < 0) return exceededDenial(plan, infos, r.cells, now);
  // The plan is exceeded and the policy suspends: the account (its key is [consumer] or
  // [tenant]) is suspended for every node; explain says so without suspending anyone.
  const info = infos[suspending];
  const what = info.policy.key[0] as 'consumer' | 'tenant';
  const index = susp.who.findIndex((w) => w.what === what);
  const record = { at: now, reason: `quota ${info.quota!.id} (${info.quota!.limit} per UTC ${info.quota!.period}) exceeded` };
  const denial: Denial = suspendedDenial(plan, susp.who[index], record, susp.keys[index]);
  if (!charge) return denial;
  try {
    const written = backend.suspend(susp.keys[index], record);
    if (written instanceof Promise) {
      return written.then(
        () => denial,
        (err: Error) => {
          report(`limits: could not record the suspension of ${what} ${susp.who[index].name}: ${err.message}`);
          return denial;
        },
      );
    }
  } catch (err) {
    report(`limits: could not record the suspension of ${what} ${susp.who[index].name}: ${(err as Error).message}`);
  }
  return denial;
}

/** The backend did not answer: policies that fail closed refuse (503), the others let the request through uncounted. */
function failMode(infos: readonly CellInfo[], err: unknown): LayerResult {
  const closed = [...new Set(infos.filter((i) => i.policy.failClosed).map((i) => i.policy.name))];
  if (closed.length === 0) return undefined;
  return unavailableDenial(closed, err instanceof Error ? err.message : String(err));
}
