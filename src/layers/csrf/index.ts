import type { Config } from '../../config/schema.ts';
import type { Layer } from '../../pipeline/types.ts';

/** What the csrf layer needs from outside the config (clients, stores), injected by the runtime. */
export type CsrfDeps = Record<string, never>;

/**
 * The csrf layer, compiled from the config; undefined when no route uses it, so that a
 * config without it pays nothing.
 */
export function csrfLayer(_config: Config, _deps: CsrfDeps = {}): Layer | undefined {
  return undefined;
}
