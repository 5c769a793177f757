import type { Config } from '../../config/schema.ts';
import type { DenialCase } from '../candidates.ts';

/** `routes[2].ip` → ['routes', 2, 'ip']. */
export function configPath(text: string): (string | number)[] {
  return text.split('.').flatMap((part) => {
    const m = /^([^[]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) return [part];
    const idx = [...m[2].matchAll(/\[(\d+)\]/g)].map((x) => Number(x[1]));
    return [...(m[1] ? [m[1]] : []), ...idx];
  });
}

/** A copy of the config with the value at `path` replaced (every object on the way copied). */
export function updateAt(cfg: Config, path: (string | number)[], change: (v: unknown) => unknown): Config {
  const step = (node: unknown, i: number): unknown => {
    if (i === path.length) return change(node);
    const key = path[i];
    if (Array.isArray(node)) return node.map((x, j) => (j === key ? step(x, i + 1) : x));
    const obj = (node ?? {}) as Record<string, unknown>;
    return { ...obj, [key]: step(obj[key as string], i + 1) };
  };
  return step(cfg, 0) as Config;
}

export function routeOf(c: DenialCase): { id: string; index: number } | undefined {
  const ids = c.trial.decision.route?.split(',') ?? [];
  for (const id of ids) {
    const index = c.config.routes.findIndex((r) => r.id === id);
    if (index !== -1) return { id, index };
  }
  return undefined;
}

export function withRoute(cfg: Config, index: number, change: (rc: Config['routes'][number]) => Config['routes'][number]): Config {
  return { ...cfg, routes: cfg.routes.map((rc, i) => (i === index ? change(rc) : rc)) };
}
