import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { AiCallState } from './call-state.ts';
import type { AiError } from './dialects/types.ts';
import { AI_FAILURES, failureCode, failureOfStatus, type AiFailureCode, type HopFailure } from './failures.ts';
import type { ModelPlan, TargetPlan } from './plan.ts';
import { headerValue } from './providers/common/http.ts';
import { isProviderError, type ProviderHeaders, type ProviderTarget } from './providers/types.ts';
import type { AiCallRecord, AiHop } from './record.ts';
import { writeAiError, writeAiJson } from './respond.ts';
import { scrubSecrets } from './scrub.ts';
import { CallCancel, failureOfError, sendStream, sendWhole, type ProviderStream } from './send.ts';
import { relayStream, write, type Relayed } from './stream-pipe.ts';
import { templateFor } from './templates/index.ts';
import type { ChatResponse, EmbeddingsResponse, ProviderError, Usage } from './types.ts';
import { countChatTokens, countEmbeddingsTokens, countTextTokens } from './usage/estimate.ts';
import { priceCall } from './usage/price.ts';

export interface ServeInput {
  req: IncomingMessage;
  res: ServerResponse;
  ai: AiCallState;
  requestId: string;
  /** performance.now() when the request arrived (for time to first token). */
  t0: number;
  typeBase: string;
}

/** What serving gave, for the call log. */
export interface Served {
  record: AiCallRecord;
  outcome: 'allow' | 'error';
  code?: string;
  error?: string;
}

/** Provider error bodies are short; a larger one is cut (it is only read for its message). */
const ERROR_BODY_LIMIT = 64 * 1024;

/**
 * Serves an AI call the pipeline allowed: picks the alias's target by weight, calls it, and
 * walks the configured fallbacks while a hop fails in a way its fallback names and nothing was
 * sent to the client. The answer goes back in the client's dialect (or as a template's REST
 * answer); the real usage settles the budget reservation exactly once.
 */
export async function serveAi(s: ServeInput): Promise<Served> {
  const { ai, res } = s;
  const record: AiCallRecord = {
    api: ai.dialect?.name ?? 'template',
    alias: ai.alias,
    stream: ai.call.operation === 'chat' && ai.call.request.stream,
    template: ai.template,
    hops: [],
    stopped: '',
    warnings: ai.warnings,
  };
  const cancel = new CallCancel();
  res.once('close', () => {
    if (!res.writableFinished) cancel.abort();
  });
  let settled = false;
  // Awaited before the record is written: settling adds the budget warnings the real cost raised.
  const settle = async (usage: Usage | undefined, target: TargetPlan | undefined) => {
    if (settled) return;
    settled = true;
    let cost: number | undefined;
    if (usage && target) {
      const priced = priceCall(target, usage);
      cost = priced?.costUsd;
      record.costUsd = cost;
      if (!priced) record.unpriced = true;
    }
    record.usage = usage;
    await ai.settle?.(usage, cost);
  };
  try {
    return await walk(s, record, cancel, settle);
  } finally {
    // Whatever happened (a throw included), the reservation is settled once.
    await settle(undefined, undefined);
  }
}

async function walk(s: ServeInput, record: AiCallRecord, cancel: CallCancel, settle: (u: Usage | undefined, t: TargetPlan | undefined) => Promise<void>): Promise<Served> {
  const { ai, res } = s;
  let last: { failure: HopFailure; error?: ProviderError; message: string } | undefined;
  for (const target of chain(ai.model)) {
    if (last && !(target.on ?? []).includes(last.failure as never)) continue;
    if (cancel.aborted) break;
    const result = await hop(s, target, record, cancel);
    if (result.kind === 'done') {
      await settle(result.usage, target);
      record.stopped = result.stopped;
      return { record, outcome: result.code ? 'error' : 'allow', code: result.code, error: result.error };
    }
    last = result;
  }
  if (cancel.aborted) {
    record.stopped = 'the client went away before an answer';
    return { record, outcome: 'error', code: 'client.aborted' };
  }
  const failure = last ?? { failure: 'connect_error' as const, message: 'no target of this alias is available' };
  const code = failureCode(failure.failure);
  record.stopped = `${describeFailure(failure)}; ${last ? 'no fallback is configured for it' : 'every target is ejected'}`;
  writeAiError(res, ai.dialect, failureError(code, s.requestId, failure.error), s.typeBase, retryAfter(failure.error));
  return { record, outcome: 'error', code, error: failure.message };
}

/** The picked target first, then the fallbacks in order. */
function* chain(model: ModelPlan): Generator<TargetPlan> {
  const peer = model.balancer.pick();
  if (peer) yield peer.target;
  yield* model.fallbacks;
}

type HopResult =
  | { kind: 'done'; usage?: Usage; stopped: string; code?: string; error?: string }
  | { kind: 'failed'; failure: HopFailure; error?: ProviderError; message: string };

async function hop(s: ServeInput, target: TargetPlan, record: AiCallRecord, cancel: CallCancel): Promise<HopResult> {
  const p = target.provider;
  const started = performance.now();
  const entry: AiHop = { provider: p.name, model: target.model, ms: 0, outcome: 'ok' };
  record.hops.push(entry);
  record.provider = p.name;
  record.model = target.model;
  const failed = (failure: HopFailure, message: string, error?: ProviderError): HopResult => {
    entry.outcome = failure;
    entry.ms = performance.now() - started;
    entry.message = message;
    if (error?.requestId) entry.providerRequestId = error.requestId;
    // The client going away aborts the call: that says nothing about the provider's health.
    if (cancel.aborted) entry.outcome = 'client_aborted';
    else healthOf(s.ai.model, target, failure);
    return { kind: 'failed', failure, error, message };
  };
  if (p.missingCredentials.length > 0) return failed('refused', `credential ${p.missingCredentials.join(', ')} of provider ${p.name} is not set in the environment`);
  const pt: ProviderTarget = { provider: p.name, type: p.type, baseUrl: p.baseUrl, model: target.model, credentials: p.credentials, options: p.options };
  const call = s.ai.call;
  let httpCall;
  try {
    if (call.operation === 'chat') httpCall = await p.adapter.chat.call(call.request, pt);
    else if (p.adapter.embeddings) httpCall = await p.adapter.embeddings.call(call.request, pt);
    else return failed('rejected', `provider ${p.name} (${p.type}) does not serve embeddings`);
  } catch (err) {
    // The adapter cannot express this call for its provider (an image by URL for Ollama, tool
    // arguments that are not JSON): the client's input, told as the provider rejecting it.
    const message = scrubSecrets(err instanceof Error ? err.message : String(err), p);
    return failed('rejected', `the call cannot be sent to ${p.type}: ${message}`, { status: 0, message });
  }
  const streamed = call.operation === 'chat' && call.request.stream;
  const sent = streamed ? await sendStream(p, httpCall, cancel, ERROR_BODY_LIMIT) : await sendWhole(p, httpCall, cancel, ERROR_BODY_LIMIT);
  if (!sent.ok) return failed(sent.failure, sent.duringBody ? `reading the provider's answer failed: ${sent.message}` : sent.message);
  const { statusCode: status, headers } = sent;
  entry.status = status;
  const rid = providerRequestId(headers);
  if (rid) entry.providerRequestId = rid;
  // Only a streamed answer below 400 comes as a stream; any other is whole.
  if (!Buffer.isBuffer(sent.body)) return relay(s, target, record, started, sent.body, failed);
  if (status >= 400) {
    const err = p.adapter.error(status, headers, sent.body);
    err.message = scrubSecrets(err.message, p);
    return failed(failureOfStatus(status), `the provider answered ${status}: ${err.message}`, err);
  }
  let answer: ChatResponse | EmbeddingsResponse | ProviderError;
  try {
    answer = call.operation === 'chat' ? p.adapter.chat.response(sent.body, headers) : p.adapter.embeddings!.response(sent.body, headers);
  } catch (err) {
    return failed('server_error', `reading the provider's answer failed: ${String(err)}`);
  }
  if (isProviderError(answer)) {
    answer.message = scrubSecrets(answer.message, p);
    return failed('server_error', `the provider answered ${status} with an error inside: ${answer.message}`, answer);
  }
  entry.ms = performance.now() - started;
  healthOf(s.ai.model, target, undefined);
  return answerWhole(s, answer, record);
}

/** A whole (non-streamed) answer: rendered in the dialect, or as the template's REST answer. */
function answerWhole(s: ServeInput, answer: ChatResponse | EmbeddingsResponse, record: AiCallRecord): HopResult {
  const { ai, res } = s;
  const call = ai.call;
  const ctx = { model: ai.alias, requestId: s.requestId, created: Math.floor(Date.now() / 1000), echo: call.operation === 'chat' ? call.echo : undefined };
  record.ttftMs = performance.now() - s.t0;
  // Without the provider's usage the client gets the gateway's estimate, as a stream's usage event does.
  if ('vectors' in answer) {
    const usage = answer.usage ?? estimated(ai, 0);
    writeAiJson(res, 200, ai.dialect!.renderEmbeddings!(answer.usage ? answer : { ...answer, usage }, ctx, call.operation === 'embeddings' ? call.encoding : undefined), familyHeaders(s));
    return { kind: 'done', usage, stopped: 'answered' };
  }
  record.finishReason = answer.finishReason;
  const usage = answer.usage ?? estimated(ai, countTextTokens(textOf(answer)));
  if (!ai.dialect) {
    const template = templateFor(ai.route);
    const out = template.output(answer);
    if (!out.ok) {
      const code: AiFailureCode = 'ai.output_invalid';
      writeAiError(res, undefined, { status: AI_FAILURES[code].status, code, message: out.message, requestId: s.requestId, param: out.pointer, details: { retryable: true } }, s.typeBase);
      return { kind: 'done', usage, stopped: 'the output failed the template schema', code, error: out.message };
    }
    writeAiJson(res, 200, template.answer({ ...answer, usage }, s.requestId));
    return { kind: 'done', usage, stopped: 'answered' };
  }
  writeAiJson(res, 200, ai.dialect.renderChat!(answer.usage ? answer : { ...answer, usage }, ctx), familyHeaders(s));
  return { kind: 'done', usage, stopped: 'answered' };
}

async function relay(
  s: ServeInput,
  target: TargetPlan,
  record: AiCallRecord,
  started: number,
  body: ProviderStream,
  failed: (f: HopFailure, m: string, e?: ProviderError) => HopResult,
): Promise<HopResult> {
  const { ai, res } = s;
  const p = target.provider;
  const call = ai.call as Extract<AiCallState['call'], { operation: 'chat' }>;
  const encoder = ai.dialect!.chatStream!({ model: ai.alias, requestId: s.requestId, created: Math.floor(Date.now() / 1000), includeUsage: call.includeUsage, echo: call.echo });
  const r: Relayed = await relayStream({ res, body, decoder: p.adapter.chat.stream(), encoder, headers: familyHeaders(s), now: () => performance.now() });
  const entry = record.hops[record.hops.length - 1];
  entry.ms = performance.now() - started;
  if (r.firstContentAt !== undefined) record.ttftMs = r.firstContentAt - s.t0;
  record.finishReason = r.finishReason;
  const usage = r.usage ?? estimated(ai, countTextTokens(r.text));
  if (r.clientAborted) {
    body.destroy();
    entry.outcome = 'client_aborted';
    return { kind: 'done', usage, stopped: 'the client went away during the stream', code: 'client.aborted' };
  }
  const problem = r.error ?? (r.transport !== undefined ? { status: 200, message: `the stream failed: ${describeTransport(r.transport)}` } : undefined);
  if (problem) {
    problem.message = scrubSecrets(problem.message, p);
    if (!r.committed) {
      const failure = r.transport !== undefined ? failureOfError(r.transport) : 'server_error';
      return failed(failure, `the provider's stream failed before any content: ${problem.message}`, problem);
    }
    // Started: never retried. The client gets its dialect's error event with the usage so far.
    entry.outcome = 'stream_error';
    entry.message = problem.message;
    if (problem.requestId) entry.providerRequestId = problem.requestId;
    const code: AiFailureCode = 'ai.stream_interrupted';
    await write(res, encoder.error(failureError(code, s.requestId, problem), usage));
    res.end();
    return { kind: 'done', usage, stopped: 'the provider failed mid-stream; nothing was retried (the client had received part of the answer)', code, error: problem.message };
  }
  if (!r.usage) await write(res, encoder.event({ type: 'usage', usage }));
  await write(res, encoder.end());
  res.end();
  healthOf(ai.model, target, undefined);
  return { kind: 'done', usage, stopped: 'answered' };
}

function estimated(ai: AiCallState, outputTokens: number): Usage {
  const c = ai.call;
  const inputTokens = ai.estimate.counted !== false ? ai.estimate.inputTokens : c.operation === 'chat' ? countChatTokens(c.request) : countEmbeddingsTokens(c.request);
  return { inputTokens, outputTokens, estimated: true };
}

function textOf(r: ChatResponse): string {
  return r.parts.map((p) => (p.type === 'text' ? p.text : p.type === 'tool_call' ? p.arguments : '')).join('');
}

/** Anthropic's SDK reads the request id from its own header name. */
function familyHeaders(s: ServeInput): Record<string, string> {
  return s.ai.dialect?.family === 'anthropic' ? { 'request-id': s.requestId } : {};
}

/** Passive health: a target that keeps failing is left out for a while (as upstream peers are). */
function healthOf(model: ModelPlan, target: TargetPlan, failure: HopFailure | undefined): void {
  const peer = model.balancer.peers.find((p) => p.target === target);
  if (!peer) return;
  if (failure === undefined) model.balancer.success(peer);
  else if (failure !== 'rejected') model.balancer.failure(peer);
}

/** What the client is told: the provider's status and request id, never its words about our credential. */
function failureError(code: AiFailureCode, requestId: string, provider?: ProviderError): AiError {
  const spec = AI_FAILURES[code];
  const details: Record<string, unknown> = { retryable: spec.retryable };
  if (provider) {
    // Status 0: the gateway could not express the call for the provider; it never answered.
    if (provider.status > 0) details.provider_status = provider.status;
    if (provider.requestId) details.provider_request_id = provider.requestId;
    if (provider.retryAfterS !== undefined) details.retry_after_s = provider.retryAfterS;
  }
  // A rejected call is about the client's input: the provider's message helps it (already scrubbed).
  const message = code === 'ai.provider_rejected' && provider ? `${spec.title}: ${provider.message}` : `${spec.title}. Quote request id ${requestId} to the API owner.`;
  return { status: spec.status, code, message, requestId, details };
}

function retryAfter(e: ProviderError | undefined): Record<string, string> {
  return e?.retryAfterS !== undefined ? { 'retry-after': String(Math.ceil(e.retryAfterS)) } : {};
}

function describeFailure(f: { failure: HopFailure; message: string }): string {
  return `the last hop failed (${f.failure}): ${f.message}`;
}

function describeTransport(err: unknown): string {
  const e = err as { code?: string; message?: string };
  return [e.code, e.message].filter(Boolean).join(': ');
}

/** The provider's id of this call, under the header names providers use (for their support). */
const REQUEST_ID_HEADERS = ['x-request-id', 'request-id', 'x-amzn-requestid', 'apim-request-id'];

function providerRequestId(headers: ProviderHeaders): string | undefined {
  for (const name of REQUEST_ID_HEADERS) {
    const v = headerValue(headers, name);
    if (v) return v;
  }
  return undefined;
}
