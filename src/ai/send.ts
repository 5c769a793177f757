import { Agent, request, type Dispatcher } from 'undici';
import { classifyUpstreamError } from '../proxy/classify.ts';
import type { HopFailure } from './failures.ts';
import type { ProviderPlan } from './plan.ts';
import type { HttpCall } from './providers/types.ts';

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

export type Sent = { ok: true; res: Dispatcher.ResponseData } | { ok: false; failure: HopFailure; message: string };

/**
 * Sends one call to a provider. Never retried here: a fallback is the caller's decision, by
 * the failure class, and only before the client received anything.
 */
export async function send(p: ProviderPlan, call: HttpCall, signal: AbortSignal): Promise<Sent> {
  try {
    const res = await request(call.url, {
      method: 'POST',
      headers: call.headers,
      body: call.body,
      dispatcher: agentFor(p),
      headersTimeout: p.timeouts.firstByteMs,
      bodyTimeout: p.timeouts.idleMs,
      signal,
    });
    return { ok: true, res };
  } catch (err) {
    return { ok: false, failure: failureOfError(err), message: errorMessage(err) };
  }
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
