import type { Config } from '../../config/schema.ts';
import type { Layer } from '../../pipeline/types.ts';

/** What the authz layer needs from outside the config (clients, stores), injected by the runtime. */
export type AuthzDeps = Record<string, never>;

/**
 * The authz layer, compiled from the config; undefined when no route uses it, so that a
 * config without it pays nothing.
 */
export function authzLayer(_config: Config, _deps: AuthzDeps = {}): Layer | undefined {
  return undefined;
}
