import FindMyWay from 'find-my-way';
import type { Config, RouteConfig } from '../../config/schema.ts';

/** A route of the config, ready for the hot path. */
export interface CompiledRoute {
  id: string;
  service: string;
  methods: ReadonlySet<string> | null;
  stripPrefix?: string;
  /** Set on a route the gateway answers itself (no service): 'login'. */
  serve?: 'login' | 'ai';
  /** Index in config.routes, for pointing at the config. */
  index: number;
}

/**
 * Everything registered for one path pattern on one host and version: the routes by
 * method, so one router lookup answers both "does a path match" and "which methods".
 */
export interface PathEntry {
  pattern: string;
  host?: string;
  version?: string;
  byMethod: Map<string, CompiledRoute>;
  anyMethod?: CompiledRoute;
  /** Value of the Allow header for a 405. */
  allow: string;
  routeIds: string;
}

export interface RouteMatch {
  entry: PathEntry;
  params: Record<string, string | undefined>;
}

export interface RouteTable {
  lookup(path: string, host: string, version: string | undefined): RouteMatch | null;
  /** Versions served at all, for the operator detail of a 404. */
  readonly versions: readonly string[];
  /** Every route, in config order (index = position in config.routes). */
  readonly all: readonly CompiledRoute[];
}

export class RouteConflictError extends Error {
  constructor(
    message: string,
    readonly path: (string | number)[],
  ) {
    super(message);
  }
}

/** The single method all patterns are registered under: methods are resolved from the entry. */
const SLOT = 'GET';

export function compileRoutes(config: Config): RouteTable {
  const router = FindMyWay({
    ignoreTrailingSlash: true,
    caseSensitive: true,
    maxParamLength: 500,
    constraints: { apiVersion: versionStrategy() },
  });
  const entries = new Map<string, PathEntry>();
  const versions = new Set<string>();
  const all: CompiledRoute[] = [];

  config.routes.forEach((rc, index) => {
    const route: CompiledRoute = {
      id: rc.id,
      service: rc.service ?? '',
      serve: rc.serve,
      methods: rc.methods ? new Set(expandHead(rc.methods)) : null,
      stripPrefix: rc.stripPrefix,
      index,
    };
    all.push(route);
    if (rc.version) versions.add(rc.version);
    for (const host of rc.hosts ?? [undefined]) {
      rc.paths.forEach((pattern, pi) => {
        const key = `${canonicalPattern(pattern)}\u0000${host ?? ''}\u0000${rc.version ?? ''}`;
        let entry = entries.get(key);
        if (!entry) {
          entry = { pattern, host: host?.toLowerCase(), version: rc.version, byMethod: new Map(), allow: '', routeIds: '' };
          entries.set(key, entry);
          const constraints: Record<string, string> = {};
          if (entry.host) constraints.host = entry.host;
          if (rc.version) constraints.apiVersion = rc.version;
          try {
            router.on(SLOT, pattern, { constraints }, noop, entry);
          } catch (err) {
            throw new RouteConflictError(`path ${pattern} conflicts with another route: ${(err as Error).message}`, ['routes', index, 'paths', pi]);
          }
        }
        addToEntry(entry, route, rc, ['routes', index, 'paths', pi]);
      });
    }
  });

  return {
    versions: [...versions],
    all,
    lookup(path, host, version) {
      const constraints: Record<string, string> = { host };
      if (version !== undefined) constraints.apiVersion = version;
      const found = router.find(SLOT, path, constraints);
      if (!found) return null;
      return { entry: found.store as PathEntry, params: found.params };
    },
  };
}

function addToEntry(entry: PathEntry, route: CompiledRoute, rc: RouteConfig, where: (string | number)[]): void {
  const clash = (other: CompiledRoute | undefined, what: string) => {
    if (other && other.id !== route.id) {
      throw new RouteConflictError(`duplicate route: ${what} ${entry.pattern} is already served by route "${other.id}"`, where);
    }
  };
  if (!route.methods) {
    clash(entry.anyMethod, 'every method of');
    entry.anyMethod = route;
  } else {
    for (const m of route.methods) {
      if (m === 'HEAD' && !rc.methods?.includes('HEAD') && entry.byMethod.has('HEAD')) continue;
      clash(entry.byMethod.get(m), m);
      entry.byMethod.set(m, route);
    }
  }
  const methods = [...entry.byMethod.keys()].sort();
  entry.allow = entry.anyMethod ? '' : methods.join(', ');
  entry.routeIds = [...new Set([...entry.byMethod.values(), ...(entry.anyMethod ? [entry.anyMethod] : [])].map((r) => r.id))].join(',');
}

function expandHead(methods: string[]): string[] {
  return methods.includes('GET') && !methods.includes('HEAD') ? [...methods, 'HEAD'] : methods;
}

/** /orders/:id and /orders/:orderId are the same pattern to the router. */
function canonicalPattern(pattern: string): string {
  return pattern.replace(/:[A-Za-z0-9_]+/g, ':').replace(/\/+$/, '') || '/';
}

function noop(): void {}

/** Exact match on the version header; a request without one reaches unversioned routes. */
function versionStrategy() {
  return {
    name: 'apiVersion',
    mustMatchWhenDerived: false,
    storage() {
      // find-my-way stores its own handler objects here; their type is its business.
      const map = new Map<string, any>();
      return { get: (k: string) => map.get(k) ?? null, set: (k: string, v: any) => void map.set(k, v) };
    },
    // We pass the version to find() ourselves; this is only called by router.lookup(), which we don't use.
    deriveConstraint: (): string => '',
    validate(value: unknown) {
      if (typeof value !== 'string') throw new TypeError('version must be a string');
    },
  };
}
