import type { Denial } from '../../decision/types.ts';
import type { EvalContext, Layer } from '../../pipeline/types.ts';
import type { RouteTable } from './compile.ts';

/** Finds the routes whose path, host and version match. Methods are the method layer's concern. */
export function routeLayer(table: RouteTable, versionHeader: string): Layer {
  return {
    name: 'route',
    evaluate(ctx: EvalContext) {
      const { req } = ctx;
      const raw = req.headers[versionHeader];
      const version = typeof raw === 'string' ? raw.trim() : undefined;
      const match = table.lookup(req.path, req.host, version);
      if (match) {
        ctx.match = match;
        ctx.params = match.params;
        return undefined;
      }
      return notFound(req.path, req.host, version, table.versions);
    },
  };
}

function notFound(path: string, host: string, version: string | undefined, versions: readonly string[]): Denial {
  const evidence = [
    { where: 'path', expected: 'a path pattern of a configured route', observed: path.slice(0, 200) },
    { where: 'header:Host', expected: 'a host a route answers for (or any)', observed: host.slice(0, 100) },
  ];
  let detail = `no route matches ${path.slice(0, 200)} on host ${host.slice(0, 100)}`;
  if (version !== undefined) {
    detail += versions.includes(version) ? ` with version ${version}` : `; version ${version} is not served (versions: ${versions.join(', ') || 'none'})`;
    evidence.push({ where: 'header:version', expected: versions.join(' | ') || 'none', observed: version.slice(0, 50) });
  }
  return {
    code: 'route.not_found',
    ruleId: 'route.table',
    detail,
    hint: 'Check the method, path and host of the request against the API documentation.',
    evidence,
    fixes: [
      { who: 'client', action: 'Call a path that the API serves.', proved: false, retryable: false },
      { who: 'operator', action: 'Add a route for this path if it should be served.', proved: false, retryable: false },
    ],
  };
}
