import { aiPlan } from '../ai/plan.ts';
import { closeProviderAgents } from '../ai/send.ts';
import type { LoadedConfig } from '../config/load.ts';
import { compilePipeline, NO_DEPS, type PipelineDeps } from '../pipeline/order.ts';
import type { Pipeline } from '../pipeline/pipeline.ts';
import { loginService, sessionSettings, type LoginService } from '../layers/authn/session/login.ts';
import { createProxies } from '../proxy/index.ts';
import type { ServiceProxies } from '../proxy/types.ts';
import { ownerRecording, type OwnerRecording } from './owner-record.ts';

/**
 * Everything one config revision needs at request time. A request keeps the runtime it
 * started with, so a reload never changes the rules under an in-flight request.
 */
export interface Runtime {
  loaded: LoadedConfig;
  /** The loaded config's pipeline, compiled with the gateway's stores. */
  pipeline: Pipeline;
  /** Shadow mode: the candidate's pipeline, run report-only beside this one (src/server/shadow.ts). */
  shadow?: { pipeline: Pipeline; revision: string };
  proxies: ServiceProxies;
  /** The login route the gateway serves itself, when authn.sessions is configured. */
  login?: LoginService;
  typeBase: string;
  /** Create routes that record the owner of what they create (owner.record). */
  ownerRecording?: OwnerRecording;
  /** Requests that started under this runtime and have not finished. */
  active: number;
  /** Set by a reload: close the pools when the last active request is done. */
  retired: boolean;
}

export function createRuntime(loaded: LoadedConfig, deps: PipelineDeps = NO_DEPS): Runtime {
  const pipeline = deps === NO_DEPS ? loaded.pipeline : compilePipeline(loaded.config, deps);
  const config = loaded.config;
  const sessions = sessionSettings(config, deps.authn.env ?? process.env);
  const login = sessions && loginService(config, sessions, deps.authn.passwords ?? { password: () => undefined }, deps.authn.env ?? process.env);
  const shadow = loaded.shadow && { pipeline: deps === NO_DEPS ? loaded.shadow.pipeline : compilePipeline(loaded.shadow.config, deps), revision: loaded.shadow.revision };
  const recording = ownerRecording(config, deps.authz?.owners, deps.authz?.report);
  return { loaded, pipeline, shadow, proxies: createProxies(config), login, typeBase: config.gateway.errorTypeBase, ownerRecording: recording, active: 0, retired: false };
}

export function acquire(rt: Runtime): Runtime {
  rt.active++;
  return rt;
}

export function release(rt: Runtime): void {
  if (--rt.active === 0 && rt.retired) void closeRuntime(rt);
}

/** Closes the connection pools of a revision: upstream services and AI providers. */
export async function closeRuntime(rt: Runtime): Promise<void> {
  const ai = rt.loaded.config.ai;
  const providers = Object.keys(ai.providers).length ? aiPlan(rt.loaded.config).providers.values() : [];
  await Promise.all([rt.proxies.close(), closeProviderAgents(providers)]);
}

/** After a reload: the old pools close once nothing uses them, even if the pipeline is async. */
export function retire(rt: Runtime): void {
  rt.retired = true;
  if (rt.active === 0) void closeRuntime(rt);
}
