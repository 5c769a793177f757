import type { Config } from '../../config/schema.ts';
import type { Layer } from '../../pipeline/types.ts';

/** What the limits layer needs from outside the config (clients, stores), injected by the runtime. */
export type LimitsDeps = Record<string, never>;

/**
 * The limits layer, compiled from the config; undefined when no route uses it, so that a
 * config without it pays nothing.
 */
export function limitsLayer(_config: Config, _deps: LimitsDeps = {}): Layer | undefined {
  return undefined;
}
