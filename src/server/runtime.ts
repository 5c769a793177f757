import type { LoadedConfig } from '../config/load.ts';
import { createProxies } from '../proxy/index.ts';
import type { ServiceProxies } from '../proxy/types.ts';

/**
 * Everything one config revision needs at request time. A request keeps the runtime it
 * started with, so a reload never changes the rules under an in-flight request.
 */
export interface Runtime {
  loaded: LoadedConfig;
  proxies: ServiceProxies;
  typeBase: string;
}

export function createRuntime(loaded: LoadedConfig): Runtime {
  return { loaded, proxies: createProxies(loaded.config), typeBase: loaded.config.gateway.errorTypeBase };
}
