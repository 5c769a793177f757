import { Agent } from 'undici';
import { classifyUpstreamError } from '../proxy/classify.ts';
import type { HopFailure } from './failures.ts';
import type { ProviderPlan } from './plan.ts';
import { CallCancel } from './send-cancel.ts';
import { ProviderDispatch, type ProviderStream } from './send-dispatch.ts';
import type { HttpCall, ProviderHeaders } from './providers/types.ts';

export { CallCancel, type ProviderStream };

/** One connection pool per provider of a config revision; closed when the revision retires. */
const agents = new WeakMap<ProviderPlan, Agent>();

function agentFor(p: ProviderPlan): Agent {
  let agent = agents.get(p);
  if (!agent) {
    agent = new Agent({ connectTimeout: p.timeouts.connectMs, keepAliveTimeout: 30_000 });
    agents.set(p, agent);
  }
  return agent;
}

export async function closeProviderAgents(providers: Iterable<ProviderPlan>): Promise<void> {
  await Promise.all([...providers].map((p) => agents.get(p)?.close()));
}

export type Sent<B> =
  | { ok: true; statusCode: number; headers: ProviderHeaders; body: B }
  | {
      ok: false;
      failure: HopFailure;
      message: string;
      /** The answer's head had arrived: its body failed (reset, idle timeout). */
      duringBody?: boolean;
    };

/**
 * Sends one call and reads the whole answer (non-streamed calls). An answer of status 400 or
 * more is kept up to `errorLimit` bytes: it is only read for the provider's message.
 *
 * Never retried here: a fallback is the caller's decision, by the failure class, and only
 * before the client received anything. Sent through undici's dispatch with a handler of ours
 * (as the proxy does): undici's request() would wrap each answer in a stream, an abort signal
 * and promise machinery, which cost more than the rest of the call's serving.
 */
export function sendWhole(p: ProviderPlan, call: HttpCall, cancel: CallCancel, errorLimit: number): Promise<Sent<Buffer>> {
  return dispatch(p, call, cancel, new ProviderDispatch(cancel, { whole: true, errorLimit }));
}

/**
 * Sends one streamed call; resolves with the answer's head and its body as an async iterable,
 * or, for an answer of status 400 or more, its body up to `errorLimit` bytes.
 */
export function sendStream(p: ProviderPlan, call: HttpCall, cancel: CallCancel, errorLimit: number): Promise<Sent<ProviderStream | Buffer>> {
  return dispatch(p, call, cancel, new ProviderDispatch(cancel, { whole: false, errorLimit }));
}

function dispatch<B>(p: ProviderPlan, call: HttpCall, cancel: CallCancel, handler: ProviderDispatch): Promise<Sent<B>> {
  const { origin, path } = splitUrl(call.url);
  try {
    agentFor(p).dispatch(
      { origin, path, method: 'POST', headers: call.headers, body: call.body, headersTimeout: p.timeouts.firstByteMs, bodyTimeout: p.timeouts.idleMs },
      handler,
    );
  } catch (err) {
    handler.onError(err as Error);
  }
  return handler.promise.then(
    (a) => ({ ok: true, statusCode: a.statusCode, headers: a.headers, body: a.body as B }),
    (err: unknown) => ({ ok: false, failure: failureOfError(err), message: errorMessage(err), duringBody: handler.headersSeen || undefined }),
  );
}

/**
 * Origin and path of an adapter's absolute URL, without a URL object per call: adapters build
 * `scheme://authority/path?query` from the configured base URL, which validate checked.
 */
export function splitUrl(url: string): { origin: string; path: string } {
  const authority = url.indexOf('//') + 2;
  const slash = url.indexOf('/', authority);
  const query = url.indexOf('?', authority);
  const end = slash === -1 ? query : query === -1 ? slash : Math.min(slash, query);
  if (end === -1) return { origin: url, path: '/' };
  const path = url.slice(end);
  return { origin: url.slice(0, end), path: path.startsWith('?') ? `/${path}` : path };
}

/** The failure class of a transport error (connect, timeouts, resets). */
export function failureOfError(err: unknown): HopFailure {
  switch (classifyUpstreamError(err)) {
    case 'upstream.connect_failed':
    case 'upstream.connect_timeout':
    case 'upstream.unavailable':
      return 'connect_error';
    case 'upstream.headers_timeout':
    case 'upstream.body_timeout':
      return 'timeout';
    default:
      return 'server_error';
  }
}

function errorMessage(err: unknown): string {
  const e = err as { code?: string; message?: string } | null;
  return [e?.code, e?.message].filter(Boolean).join(': ') || String(err);
}
