import { aiIssues } from '../ai/crossref.ts';
import { compilePipeline } from '../pipeline/order.ts';
import type { Pipeline } from '../pipeline/pipeline.ts';
import type { PathIssue } from './issues.ts';
import type { ConfigPath, SourcePosition } from './locate.ts';
import { ConfigSchema, type Config } from './schema.ts';
import { DEFAULT_LOGIN_PATH } from './login-route.ts';
import { closest } from './suggest.ts';

type Locate = (path: ConfigPath) => SourcePosition | undefined;

/**
 * Checks that relate one part of the config to another, on the parsed YAML before (or
 * whatever the outcome of) schema validation, so they are reported together with the
 * schema's issues. Values of the wrong shape are left to the schema.
 */
export function crossReferenceIssues(raw: unknown, locate: Locate): PathIssue[] {
  const root = asObject(raw) ?? {};
  const services = asObject(root.services) ?? {};
  const names = Object.keys(services);
  const issues: PathIssue[] = [];
  const firstById = new Map<string, number>();
  const authn = asObject(root.authn) ?? {};
  const defined: DefinedAuthn = { issuers: Object.keys(asObject(authn.jwt) ?? {}), endpoints: Object.keys(asObject(authn.introspection) ?? {}), line: (key) => locate(['authn', key])?.line };

  asArray(root.routes).forEach((item, i) => {
    const route = asObject(item);
    if (!route) return;
    if (typeof route.id === 'string') {
      const first = firstById.get(route.id);
      if (first === undefined) firstById.set(route.id, i);
      else {
        const line = locate(['routes', first, 'id'])?.line;
        issues.push({ path: ['routes', i, 'id'], message: `duplicate route id "${route.id}" (first used by routes[${first}]${line ? `, line ${line}` : ''})`, target: 'value' });
      }
    }
    if (typeof route.service === 'string' && !Object.hasOwn(services, route.service)) {
      issues.push({ path: ['routes', i, 'service'], message: unknownService(route.service, names), target: 'value' });
    }
    issues.push(...servedRouteIssues(route, i, root));
    asArray(route.authn).forEach((entry, j) => {
      const problem = typeof entry === 'string' ? authnEntryProblem(entry, defined) : undefined;
      if (problem) issues.push({ path: ['routes', i, 'authn', j], message: problem, target: 'value' });
    });
  });

  for (const [name, service] of Object.entries(services)) {
    asArray(asObject(service)?.upstreams).forEach((up, j) => {
      const url = asObject(up)?.url;
      const problem = typeof url === 'string' ? urlProblem(url) : undefined;
      if (problem) issues.push({ path: ['services', name, 'upstreams', j, 'url'], message: problem, target: 'value' });
    });
  }
  issues.push(...aiIssues(root));
  return issues;
}

/** A route names a service, or is served by the gateway (serve: login, where sessions are configured). */
function servedRouteIssues(route: Record<string, unknown>, i: number, root: Record<string, unknown>): PathIssue[] {
  if (route.serve === undefined) {
    return route.service === undefined ? [{ path: ['routes', i], message: 'a route needs a service (or serve: login for the session login route)', target: 'key' }] : [];
  }
  if (route.service !== undefined) return [{ path: ['routes', i, 'serve'], message: 'a route has either a service or serve, not both', target: 'key' }];
  if (route.serve !== 'login') return []; // serve: ai is checked with the AI section (src/ai/crossref.ts)
  const sessions = asObject(asObject(root.authn)?.sessions);
  if (!sessions) return [{ path: ['routes', i, 'serve'], message: 'serve: login needs authn.sessions (the session settings)', target: 'value' }];
  const loginPath = typeof sessions.loginPath === 'string' ? sessions.loginPath : DEFAULT_LOGIN_PATH;
  const paths = asArray(route.paths);
  if (paths.length !== 1 || paths[0] !== loginPath) {
    return [{ path: ['routes', i, 'paths'], message: `the login route's paths must be [${loginPath}] (authn.sessions.loginPath)`, target: 'value' }];
  }
  return [];
}

function unknownService(name: string, names: string[]): string {
  const defined = names.length ? `defined: ${names.join(', ')}` : 'no services are defined';
  const guess = closest(name, names);
  return `service "${name}" is not defined under services (${defined})${guess ? `; did you mean "${guess}"?` : ''}`;
}

interface DefinedAuthn {
  issuers: string[];
  endpoints: string[];
  /** Where authn.jwt / authn.introspection is written, when it is. */
  line?(key: 'jwt' | 'introspection'): number | undefined;
}

/** A route's `jwt`, `jwt:<issuer>` or `introspection:<name>` entry must name something defined under authn. */
function authnEntryProblem(entry: string, d: DefinedAuthn): string | undefined {
  const m = /^(jwt|introspection)(?::(.+))?$/.exec(entry);
  if (!m) return undefined;
  const key = m[1] as 'jwt' | 'introspection';
  const names = key === 'jwt' ? d.issuers : d.endpoints;
  const what = key === 'jwt' ? 'issuer' : 'introspection endpoint';
  const line = d.line?.(key);
  const section = `authn.${key}${line ? ` (line ${line})` : ''}`;
  if (m[2] === undefined) return names.length ? undefined : `authn entry "jwt" accepts tokens of any issuer under authn.jwt, but no issuer is defined there`;
  if (names.includes(m[2])) return undefined;
  const guess = closest(m[2], names);
  const listed = names.length ? `${section} defines: ${names.join(', ')}` : `no ${what} is defined under authn.${key}`;
  return `authn entry "${entry}" names no ${what} (${listed})${guess ? `; did you mean "${key}:${guess}"?` : ''}`;
}

/**
 * What the schema's pattern (scheme://host[:port]) cannot see: a host or port that does
 * not parse. Urls the pattern already refuses are left to it, so each is reported once.
 */
function urlProblem(url: string): string | undefined {
  if (!/^https?:\/\/[^/?#\s]+\/?$/.test(url)) return undefined;
  const port = /:(\d+)\/?$/.exec(url)?.[1];
  if (port !== undefined && Number(port) > 65535) return `invalid upstream url "${url}": port ${port} is out of range (1-65535)`;
  try {
    new URL(url);
  } catch {
    return `invalid upstream url "${url}": the host does not parse`;
  }
  return undefined;
}

/**
 * Compiles the pipeline, which finds what only compiling finds (two routes serving the
 * same path, method, host and version). Compiling stops at the first conflict, so the route
 * at fault is left out and compiling repeated, to report every conflict in one go. The
 * pipeline is returned only when the whole config compiled.
 */
export function compileChecked(config: Config, originalIndex: (i: number) => number = (i) => i): { pipeline?: Pipeline; issues: PathIssue[] } {
  const issues: PathIssue[] = [];
  // Routes whose authn entries name nothing defined are reported by crossReferenceIssues;
  // they are left out here so the rest is still checked, and no pipeline is returned.
  const defined: DefinedAuthn = { issuers: Object.keys(config.authn.jwt), endpoints: Object.keys(config.authn.introspection) };
  const unresolved = config.routes.flatMap((r, i) => (r.authn?.some((e) => authnEntryProblem(e, defined)) ? [i] : []));
  const excluded = new Set<number>(unresolved);
  for (let attempt = 0; attempt <= config.routes.length; attempt++) {
    const kept = config.routes.map((_, i) => i).filter((i) => !excluded.has(i));
    try {
      const pipeline = compilePipeline(excluded.size ? { ...config, routes: kept.map((i) => config.routes[i]) } : config);
      return issues.length || unresolved.length ? { issues } : { pipeline, issues };
    } catch (err) {
      const path = configPathOf(err);
      const message = err instanceof Error ? err.message : String(err);
      if (path?.[0] === 'routes' && typeof path[1] === 'number' && kept[path[1]] !== undefined) {
        const index = kept[path[1]];
        issues.push({ path: ['routes', originalIndex(index), ...path.slice(2)], message, target: 'value' });
        excluded.add(index);
        continue;
      }
      issues.push({ path: path ?? [], message, target: 'value' });
      return { issues };
    }
  }
  return { issues };
}

/**
 * When the config as a whole is invalid it cannot be compiled; the routes that are valid
 * on their own still are, so their conflicts are reported with the other problems.
 */
export function conflictsAmongValidRoutes(raw: unknown): PathIssue[] {
  const routeSchema = ConfigSchema.shape.routes.unwrap().element;
  const valid = asArray(asObject(raw)?.routes).flatMap((item, index) => {
    const parsed = routeSchema.safeParse(item);
    return parsed.success ? [{ route: parsed.data, index }] : [];
  });
  if (valid.length < 2) return [];
  // Conflicts are about paths, methods, hosts and versions: authn entries and authz rules
  // (which would need the authn section, roles and services, possibly invalid) play no part.
  const config = { ...ConfigSchema.parse({}), routes: valid.map((v) => ({ ...v.route, authn: undefined, authz: undefined })) };
  return compileChecked(config, (i) => valid[i].index).issues.filter((i) => i.path[0] === 'routes');
}

/** Compile errors that know where in the config they come from carry a `path` (RouteConflictError). */
export function configPathOf(err: unknown): ConfigPath | undefined {
  const path = (err as { path?: unknown } | null)?.path;
  return Array.isArray(path) && path.every((p) => typeof p === 'string' || typeof p === 'number') ? path : undefined;
}

function asObject(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
