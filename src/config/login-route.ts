/** Where the login route is when authn.sessions does not say (the schema's default). */
export const DEFAULT_LOGIN_PATH = '/login';
export const LOGIN_ROUTE_ID = 'pinpoint.login';
/** Login bodies are a user name and a password: nothing bigger is read. */
const LOGIN_BODY_BYTES = 4096;

/**
 * With session cookies configured, the gateway serves a login route itself. It is added to
 * the config as an ordinary route (serve: login) before validation, so every layer treats it
 * like any other: protocol checks, IP lists, body limits, CORS/CSRF, limits, the trace. A
 * config that declares its own `serve: login` route (to give it settings) keeps that one.
 */
export function withLoginRoute(raw: unknown): unknown {
  if (!isObject(raw) || !isObject(raw.authn) || !isObject(raw.authn.sessions)) return raw;
  const routes = raw.routes === undefined ? [] : raw.routes;
  if (!Array.isArray(routes) || routes.some((r) => isObject(r) && r.serve === 'login')) return raw;
  const path = typeof raw.authn.sessions.loginPath === 'string' ? raw.authn.sessions.loginPath : DEFAULT_LOGIN_PATH;
  const login = { id: LOGIN_ROUTE_ID, serve: 'login', paths: [path], methods: ['POST'], body: { maxBytes: LOGIN_BODY_BYTES } };
  return { ...raw, routes: [...routes, login] };
}

function isObject(v: unknown): v is Record<string, unknown> & { authn?: unknown; sessions?: unknown } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
