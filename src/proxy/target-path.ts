/**
 * The request-target sent upstream: the path as received (still percent-encoded), minus
 * the route's stripPrefix when it matches whole segments, plus the query as is.
 * "/v2/orders" with stripPrefix "/v2" becomes "/orders"; "/v2" becomes "/"; "/v2x" is left alone.
 */
export function upstreamPath(path: string, query: string, stripPrefix: string | undefined): string {
  if (stripPrefix !== undefined) path = strip(path, stripPrefix);
  // Never an absolute URL or an empty target: undici would take the first as a destination.
  if (path.charCodeAt(0) !== 47 /* / */) path = '/' + path;
  return query === '' ? path : `${path}?${query}`;
}

function strip(path: string, prefix: string): string {
  const p = prefix.length > 1 && prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  if (p === '/' || !path.startsWith(p)) return path;
  if (path.length === p.length) return '/';
  return path.charCodeAt(p.length) === 47 ? path.slice(p.length) : path;
}
