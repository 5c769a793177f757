import type { Config } from '../../config/schema.ts';
import type { Layer } from '../../pipeline/types.ts';

/** What the ip layer needs from outside the config (clients, stores), injected by the runtime. */
export type IpDeps = Record<string, never>;

/**
 * The ip layer, compiled from the config; undefined when no route uses it, so that a
 * config without it pays nothing.
 */
export function ipLayer(_config: Config, _deps: IpDeps = {}): Layer | undefined {
  return undefined;
}
