import { performance } from 'node:perf_hooks';
import { codeSpec } from '../decision/codes.ts';
import type { Decision, Denial, Disposition, ShadowDenial, TraceEntry } from '../decision/types.ts';
import type { DeriveClientAddress } from '../layers/ip/client-address.ts';
import { SKIP, type EvalContext, type Layer, type LayerResult, type RequestDescription, type ShadowNote } from './types.ts';

export interface RunOptions {
  requestId: string;
  correlationId?: string;
  disposition: Disposition;
  configRevision: string;
}

/**
 * Runs the ordered layers over one request and returns its decision. The first denial
 * decides the response; later layers that do not call out still run and are traced as
 * `would_deny`, so an operator sees every cause at once.
 *
 * Layers are usually synchronous; the loop stays synchronous until a layer returns a
 * promise, so the common case allocates no promises.
 */
export class Pipeline {
  constructor(
    readonly layers: readonly Layer[],
    /** How describe derives the client address (ip.trustedProxies); undefined: the socket peer. */
    readonly clientAddress?: DeriveClientAddress,
  ) {}

  run(req: RequestDescription, opts: RunOptions, ctx: EvalContext = { req, audience: 'anyone' }): Decision | Promise<Decision> {
    const state: RunState = { ctx, trace: [], first: undefined, also: [] };
    return this.step(state, 0, req, opts);
  }

  private step(state: RunState, from: number, req: RequestDescription, opts: RunOptions): Decision | Promise<Decision> {
    const layers = this.layers;
    for (let i = from; i < layers.length; i++) {
      const layer = layers[i];
      // A layer answered the request itself (a CORS preflight): the rest has nothing to decide.
      if ((state.first && layer.callsOut) || state.ctx.answer !== undefined) {
        state.trace.push({ layer: layer.name, verdict: 'skipped', us: 0 });
        continue;
      }
      const t0 = performance.now();
      const result = layer.evaluate(state.ctx);
      if (result instanceof Promise) {
        return result.then((r) => {
          record(state, layer, r, t0);
          return this.step(state, i + 1, req, opts);
        });
      }
      record(state, layer, result, t0);
    }
    return finish(state, req, opts);
  }
}

interface RunState {
  ctx: EvalContext;
  trace: TraceEntry[];
  first: Denial | undefined;
  also: string[];
}

function record(state: RunState, layer: Layer, result: LayerResult, t0: number): void {
  const us = Math.round((performance.now() - t0) * 1000);
  if (result === undefined) {
    state.trace.push({ layer: layer.name, verdict: 'pass', us });
  } else if (result === SKIP) {
    state.trace.push({ layer: layer.name, verdict: 'skipped', us });
  } else if (!state.first) {
    state.first = result;
    state.trace.push({ layer: layer.name, verdict: 'deny', ruleId: result.ruleId, code: result.code, us });
  } else {
    state.also.push(result.code);
    state.trace.push({ layer: layer.name, verdict: 'would_deny', ruleId: result.ruleId, code: result.code, us });
  }
}

function shadowDenial(n: ShadowNote): ShadowDenial {
  return { layer: n.layer, code: n.denial.code, ruleId: n.denial.ruleId, detail: n.denial.detail, evidence: n.denial.evidence };
}

// One object literal for both outcomes (no spread, one shape): this runs on every request.
function finish(state: RunState, req: RequestDescription, opts: RunOptions): Decision {
  const { ctx, first } = state;
  const spec = first ? codeSpec(first.code) : undefined;
  return {
    requestId: opts.requestId,
    correlationId: opts.correlationId,
    at: new Date().toISOString(),
    configRevision: opts.configRevision,
    disposition: opts.disposition,
    outcome: first ? 'deny' : 'allow',
    status: spec ? spec.status : 0,
    code: first?.code,
    layer: spec?.layer,
    rule: first && { id: first.ruleId, name: first.ruleName, source: first.ruleSource },
    denyKind: first && (first.denyKind ?? spec!.denyKind),
    detail: first?.detail,
    hint: first?.hint,
    evidence: first ? first.evidence : [],
    fixes: first ? first.fixes : [],
    alsoWouldDeny: state.also,
    shadow: ctx.shadowed && ctx.shadowed.map(shadowDenial),
    trace: state.trace,
    consumer: ctx.consumer,
    tenant: ctx.tenant,
    credential: ctx.credential,
    route: ctx.route?.id ?? ctx.match?.entry.routeIds,
    method: req.method,
    path: req.path,
    headers: first?.headers,
    extensions: first?.extensions,
    answer: ctx.answer,
  };
}
