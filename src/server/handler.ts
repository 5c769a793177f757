import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { CallLog, CallRecord } from '../calllog/types.ts';
import { decisionProblem, problem } from '../decision/problem.ts';
import type { Decision } from '../decision/types.ts';
import type { EvalContext, RequestDescription } from '../pipeline/types.ts';
import { UPSTREAM_ERRORS, upstreamRetryable } from '../proxy/errors.ts';
import { setGatewayHeaders } from '../proxy/headers.ts';
import { GATEWAY_ERRORS } from './errors.ts';
import type { ProxyOutcome } from '../proxy/types.ts';
import { describe } from './describe.ts';
import { readRequestBody } from './read-body.ts';
import { noteShadowDecision, runShadow, type ShadowDecision } from './shadow.ts';
import { answerAi, isAiRoute, writeAiDenial } from './ai.ts';
import { answerLogin } from './login.ts';
import { correlationIdFrom, newRequestId } from './request-id.ts';
import { writeProblem } from './respond.ts';
import { stripApiKey, stripAuthorization, stripCookie } from './strip-api-key.ts';
import { acquire, release, type Runtime } from './runtime.ts';
import { captureFor, recordOwner, recordPlanFor, releaseOwner } from './owner-record.ts';

export interface HandlerDeps {
  runtime(): Runtime;
  callLog: CallLog;
  /** Called once per request with its log entry (metrics). */
  observe?(record: CallRecord): void;
  /** 'https' when the gateway listens with TLS. */
  proto: string;
}

/** Above this many unread body bytes a denial closes the connection instead of draining it. */
const DRAIN_LIMIT = 64 * 1024;

/** The request flow: describe → pipeline → problem response or proxy → call log. */
export function createHandler(deps: HandlerDeps) {
  return function handle(req: IncomingMessage, res: ServerResponse, expectsContinue = false): void {
    const rt = acquire(deps.runtime());
    const at = Date.now();
    const t0 = performance.now();
    const requestId = newRequestId();
    res.setHeader('x-request-id', requestId);
    const desc = describe(req, rt.pipeline.clientAddress, deps.proto);
    const ctx: EvalContext = { req: desc, audience: 'anyone', readBody: (limit) => readRequestBody(req, res, limit, expectsContinue) };
    const opts = {
      requestId,
      correlationId: correlationIdFrom(req.headers['x-request-id']),
      disposition: 'enforce' as const,
      configRevision: rt.loaded.revision,
    };
    // Shadow mode: the candidate's decision, noted on the record before it is written.
    let shadowed: Promise<ShadowDecision | undefined> | undefined;
    const finish = (decision: Decision, extra: Partial<CallRecord>) => {
      release(rt);
      const write = () => {
        const record = buildRecord(at, t0, desc, decision, res, extra);
        deps.callLog.record(record);
        deps.observe?.(record);
      };
      if (shadowed === undefined) return write();
      shadowed.then((s) => {
        noteShadowDecision(decision, s);
        write();
      });
    };
    const act = (decision: Decision) => {
      // Before anything is stripped for forwarding: the shadow sees the request as received.
      if (rt.shadow) shadowed = runShadow(rt.shadow, desc, requestId);
      // Headers layers add to any response (CORS, rate limits, the CSRF token), on problems as on
      // proxied answers. Taken from the context, not the decision: a cookie must not reach the log.
      if (ctx.responseHeaders) setGatewayHeaders(res, ctx.responseHeaders);
      if (decision.outcome === 'deny') {
        const close = hasLargeUnreadBody(req, expectsContinue);
        if (isAiRoute(ctx)) writeAiDenial(res, ctx, decision, rt, close);
        else writeProblem(res, decisionProblem(decision, ctx.audience, rt.typeBase), close);
        finish(decision, {});
        return;
      }
      if (decision.answer) {
        // A layer answered the request itself (a CORS preflight): nothing goes upstream.
        res.statusCode = decision.answer.status;
        res.end();
        finish(decision, {});
        return;
      }
      if (ctx.route!.serve === 'login') {
        if (!answerLogin(res, rt.login!, decision)) return failed(new Error(`login of ${decision.consumer}: the password was removed while the request ran`));
        finish(decision, { outcome: 'allow' });
        return;
      }
      if (ctx.route!.serve === 'ai') {
        // The ai layer read the body (it needs it on every AI route).
        answerAi(req, res, ctx, requestId, t0, rt, (extra) => finish(decision, extra), failed);
        return;
      }
      // When the body layer read the body, 100 Continue went out then.
      if (expectsContinue && desc.rawBody === undefined) res.writeContinue();
      // A key or password the gateway accepted is not forwarded (see strip-api-key.ts).
      const via = ctx.identity?.via;
      if (via === 'basic') stripAuthorization(req, desc);
      else if (via === 'session') stripCookie(req, desc, rt.loaded.config.authn.sessions!.cookie);
      const query = via === 'apiKey' ? stripApiKey(req, desc, rt.loaded.config.authn.apiKeys) : desc.query;
      // X-Forwarded-For / Forwarded get the address this hop received the request from (the
      // peer), not the derived client: each proxy appends its peer, so the header stays walkable.
      const record = recordPlanFor(rt.ownerRecording, ctx);
      const info = { requestId, clientIp: desc.peerIp ?? desc.clientIp, path: desc.path, query, host: req.headers.host ?? '', proto: deps.proto, body: desc.rawBody, captureBody: captureFor(record), gatewayHeaders: ctx.responseHeaders };
      rt.proxies.forward(req, res, ctx.route!, info).then((outcome) => {
        if (outcome.error && outcome.error !== 'client.aborted' && !res.headersSent) {
          writeProblem(res, upstreamProblem(outcome, desc.method, requestId, rt.typeBase), true);
        }
        // After the answer went out: the owner of what it created (or the record of what its owner
        // deleted), noted before the log entry is written.
        const recorded = record
          ? recordOwner(rt.ownerRecording!, record, ctx, decision, outcome, res)
          : ctx.ownerRelease && rt.ownerRecording && releaseOwner(rt.ownerRecording, ctx.ownerRelease, ctx, decision, outcome);
        if (recorded) recorded.then(() => finish(decision, proxyFields(outcome)));
        else finish(decision, proxyFields(outcome));
      });
    };
    // A layer that throws is a bug: fail closed with a 500 that names the request, never forward.
    const failed = (err: unknown) => {
      const decision = failureDecision(opts, desc);
      writeProblem(res, problem({ ...GATEWAY_ERRORS['gateway.internal'], code: 'gateway.internal', requestId, typeBase: rt.typeBase }), true);
      finish(decision, { outcome: 'error', code: 'gateway.internal', error: err instanceof Error ? err.stack ?? err.message : String(err) });
    };
    let decided: Decision | Promise<Decision>;
    try {
      decided = rt.pipeline.run(desc, opts, ctx);
    } catch (err) {
      return failed(err);
    }
    if (decided instanceof Promise) decided.then(act, failed);
    else act(decided);
  };
}

function failureDecision(opts: { requestId: string; correlationId?: string; configRevision: string }, desc: RequestDescription): Decision {
  return {
    ...opts,
    at: new Date().toISOString(),
    disposition: 'enforce',
    outcome: 'deny',
    status: 500,
    denyKind: 'dependency_failed',
    evidence: [],
    fixes: [],
    alsoWouldDeny: [],
    trace: [],
    method: desc.method,
    path: desc.path,
  };
}

function upstreamProblem(outcome: ProxyOutcome, method: string, requestId: string, typeBase: string) {
  const code = outcome.error!;
  const spec = UPSTREAM_ERRORS[code];
  const retryable = upstreamRetryable(code, method);
  return problem({
    status: spec.status,
    code,
    title: spec.title,
    requestId,
    retryable,
    typeBase,
    layer: 'upstream',
    detail: retryable
      ? `The upstream service failed. The request can be sent again; quote request id ${requestId} if it persists.`
      : `The upstream service failed after receiving the request, which may have taken effect. Check before sending it again; quote request id ${requestId}.`,
  });
}

function proxyFields(o: ProxyOutcome): Partial<CallRecord> {
  return {
    upstream: o.upstream,
    upstreamStatus: o.upstreamStatus,
    upstreamMs: o.upstreamMs,
    outcome: o.error ? 'error' : 'allow',
    code: o.error,
    error: o.errorDetail,
  };
}

function buildRecord(at: number, t0: number, desc: RequestDescription, d: Decision, res: ServerResponse, extra: Partial<CallRecord>): CallRecord {
  const status = extra.code === 'client.aborted' ? 499 : res.statusCode;
  d.status = status;
  return {
    at,
    requestId: d.requestId,
    correlationId: d.correlationId,
    consumer: d.consumer,
    tenant: d.tenant,
    route: d.route,
    method: desc.method,
    path: desc.path,
    query: desc.query,
    host: desc.host,
    clientIp: desc.clientIp,
    status,
    outcome: d.outcome,
    code: d.code,
    layer: d.layer,
    totalMs: performance.now() - t0,
    configRevision: d.configRevision,
    decision: d,
    requestHeaders: desc.headers,
    ...extra,
  };
}

function hasLargeUnreadBody(req: IncomingMessage, expectsContinue: boolean): boolean {
  if (req.complete) return false;
  const te = req.headers['transfer-encoding'];
  const cl = Number(req.headers['content-length'] ?? 0);
  // After Expect: 100-continue and a final answer, a client may or may not send the body
  // (RFC 9110 §10.1.1): closing is the only way to keep the next request's framing sound.
  if (expectsContinue) return te !== undefined || cl > 0;
  return te !== undefined || cl > DRAIN_LIMIT;
}
