import type { Config } from '../../config/schema.ts';
import type { Layer } from '../../pipeline/types.ts';

/** What the waf layer needs from outside the config (clients, stores), injected by the runtime. */
export type WafDeps = Record<string, never>;

/**
 * The waf layer, compiled from the config; undefined when no route uses it, so that a
 * config without it pays nothing.
 */
export function wafLayer(_config: Config, _deps: WafDeps = {}): Layer | undefined {
  return undefined;
}
