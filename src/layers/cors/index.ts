import type { Config } from '../../config/schema.ts';
import type { Layer } from '../../pipeline/types.ts';

/** What the cors layer needs from outside the config (clients, stores), injected by the runtime. */
export type CorsDeps = Record<string, never>;

/**
 * The cors layer, compiled from the config; undefined when no route uses it, so that a
 * config without it pays nothing.
 */
export function corsLayer(_config: Config, _deps: CorsDeps = {}): Layer | undefined {
  return undefined;
}
