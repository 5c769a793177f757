import type { Config } from '../../config/schema.ts';
import type { Denial } from '../../decision/types.ts';
import type { EvalContext, Layer, LayerResult } from '../../pipeline/types.ts';
import type { CompiledRoute } from '../route/compile.ts';
import { normalizeOrigin, originHeader, requestOrigin } from './origin.ts';

/** What the cors layer needs from outside the config (clients, stores), injected by the runtime. */
export type CorsDeps = Record<string, never>;

export interface CorsLayer extends Layer {
  /** Whether the gateway answers CORS preflights for this route (the method layer lets them through). */
  answersPreflight(route: CompiledRoute): boolean;
}

type CorsConfig = Exclude<NonNullable<Config['cors']>, false>;

/** One route's (or the gateway's) CORS rules, compiled. */
interface Plan {
  /** Config path, for rule ids: "cors" or "routes[2].cors". */
  at: string;
  anyOrigin: boolean;
  exact: ReadonlySet<string>;
  /** https://*.example.com → { scheme: 'https:', suffix: '.example.com', port: '' } */
  wildcards: { scheme: string; suffix: string; port: string }[];
  origins: string;
  /** Methods allowed cross-origin; null: whatever the route serves. */
  methods: ReadonlySet<string> | null;
  headers: ReadonlySet<string>;
  anyHeader: boolean;
  expose: string;
  credentials: boolean;
  maxAge: string;
}

/** Methods a browser never needs permission for in a preflight (Fetch: CORS-safelisted methods). */
const SAFELISTED_METHODS = new Set(['GET', 'HEAD', 'POST']);
const PREFLIGHT_VARY = 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers';

function compile(at: string, c: CorsConfig, route?: Config['routes'][number]): Plan {
  const exact = new Set<string>();
  const wildcards: Plan['wildcards'] = [];
  for (const o of c.origins) {
    if (o === '*') continue;
    const star = /^(https?:)\/\/\*(\.[^:]+)(?::(\d+))?$/.exec(o);
    if (star) wildcards.push({ scheme: star[1], suffix: star[2], port: star[3] ?? '' });
    else exact.add(normalizeOrigin(o) ?? o);
  }
  const methods = c.methods ?? route?.methods;
  return {
    at,
    anyOrigin: c.origins.includes('*'),
    exact,
    wildcards,
    origins: c.origins.join(', '),
    methods: methods ? new Set(methods.includes('GET') ? [...methods, 'HEAD'] : methods) : null,
    headers: new Set(c.headers.map((h) => h.toLowerCase())),
    anyHeader: c.headers.includes('*'),
    expose: [...new Set(['x-request-id', ...c.exposeHeaders.map((h) => h.toLowerCase())])].join(', '),
    credentials: c.credentials,
    maxAge: String(c.maxAgeS),
  };
}

function allowsOrigin(p: Plan, origin: string | undefined): boolean {
  if (p.anyOrigin) return true;
  if (origin === undefined) return false;
  if (p.exact.has(origin)) return true;
  if (p.wildcards.length === 0) return false;
  const u = /^(https?:)\/\/([^:/]+)(?::(\d+))?$/.exec(origin);
  return u !== null && p.wildcards.some((w) => w.scheme === u[1] && u[2].endsWith(w.suffix) && w.port === (u[3] ?? ''));
}

/**
 * CORS, answered by the gateway: preflights (OPTIONS with Origin and Access-Control-Request-Method)
 * are decided here and never forwarded, allowed with 204 or refused with a code that says which of
 * origin, method or header was not allowed; actual cross-origin requests get the Access-Control-*
 * headers on whatever answer they receive, problems included (else the page could not read the
 * problem), and are refused when their origin is not allowed. Same-origin requests pass untouched.
 */
export function corsLayer(config: Config, _deps: CorsDeps = {}): CorsLayer | undefined {
  const gateway = config.cors ? compile('cors', config.cors) : undefined;
  const plans = new Map<string, Plan>();
  config.routes.forEach((r, i) => {
    if (r.cors === false) return;
    if (r.cors) plans.set(r.id, compile(`routes[${i}].cors`, r.cors, r));
    else if (config.cors) plans.set(r.id, compile('cors', config.cors, r));
  });
  if (!gateway && plans.size === 0) return undefined;
  return {
    name: 'cors',
    answersPreflight: (route) => plans.has(route.id),
    evaluate(ctx: EvalContext): LayerResult {
      const plan = ctx.route ? plans.get(ctx.route.id) : gateway;
      if (!plan) return undefined;
      const req = ctx.req;
      const sent = originHeader(req);
      const varies = !plan.anyOrigin || plan.credentials;
      if (sent === undefined) {
        if (varies) addHeader(ctx, 'vary', 'Origin');
        return undefined;
      }
      const origin = normalizeOrigin(sent);
      if (origin !== undefined && origin === requestOrigin(req)) return undefined;
      const acrm = req.headers['access-control-request-method'];
      const preflight = req.method === 'OPTIONS' && typeof acrm === 'string';
      if (!allowsOrigin(plan, origin)) {
        if (preflight) ctx.answer = { status: 403 };
        if (varies) addHeader(ctx, 'vary', preflight ? PREFLIGHT_VARY : 'Origin');
        return originRefused(plan, sent, preflight);
      }
      const allowOrigin = plan.anyOrigin && !plan.credentials ? '*' : origin!;
      if (!preflight) {
        addHeader(ctx, 'access-control-allow-origin', allowOrigin);
        if (plan.credentials) addHeader(ctx, 'access-control-allow-credentials', 'true');
        addHeader(ctx, 'access-control-expose-headers', plan.expose);
        if (varies) addHeader(ctx, 'vary', 'Origin');
        return undefined;
      }
      ctx.answer = { status: 403 };
      addHeader(ctx, 'vary', PREFLIGHT_VARY);
      const method = acrm.trim();
      const routeMethods = ctx.route?.methods;
      const served = !routeMethods || routeMethods.has(method);
      // Safelisted methods need no permission in a preflight (the browser allows them anyway).
      if (!served || (plan.methods !== null && !plan.methods.has(method) && !SAFELISTED_METHODS.has(method))) {
        return methodRefused(plan, sent, method, ctx.route, served);
      }
      const requested = headerList(req.headers['access-control-request-headers']);
      const refused = requested.find((h) => !(plan.headers.has(h) || (plan.anyHeader && h !== 'authorization')));
      if (refused !== undefined) return headerRefused(plan, sent, refused);
      ctx.answer = { status: 204 };
      addHeader(ctx, 'access-control-allow-origin', allowOrigin);
      if (plan.credentials) addHeader(ctx, 'access-control-allow-credentials', 'true');
      addHeader(ctx, 'access-control-allow-methods', method);
      if (requested.length) addHeader(ctx, 'access-control-allow-headers', requested.join(', '));
      addHeader(ctx, 'access-control-max-age', plan.maxAge);
      return undefined;
    },
  };
}

function addHeader(ctx: EvalContext, name: string, value: string): void {
  (ctx.responseHeaders ??= {})[name] = value;
}

/** Access-Control-Request-Headers: comma-separated names, lowercased. */
function headerList(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  const all = typeof v === 'string' ? v : v.join(',');
  const out: string[] = [];
  for (const part of all.split(',')) {
    const h = part.trim().toLowerCase();
    if (h) out.push(h);
  }
  return out;
}

function clip(s: string): string {
  return s.length > 100 ? s.slice(0, 100) + '…' : s;
}

function originRefused(p: Plan, origin: string, preflight: boolean): Denial {
  const o = clip(origin);
  return {
    code: 'cors.origin_not_allowed',
    ruleId: `${p.at}.origins`,
    detail: `${preflight ? 'preflight' : 'cross-origin request'} from origin ${o}, which is not in ${p.at}.origins (${p.origins})`,
    hint: `Pages on ${o} may not call this API.`,
    evidence: [{ where: 'header:Origin', expected: p.origins, observed: o }],
    fixes: [
      { who: 'client', action: 'Call the API from a page on an allowed origin, or from a server.', proved: false, retryable: false },
      { who: 'operator', action: `Add ${o} to ${p.at}.origins if pages there should call this API.`, proved: false, retryable: false },
    ],
  };
}

function methodRefused(p: Plan, origin: string, method: string, route: CompiledRoute | undefined, served: boolean): Denial {
  const m = clip(method);
  const allowed = p.methods ? [...p.methods].join(', ') : route?.methods ? [...route.methods].join(', ') : 'GET, HEAD, POST';
  return {
    code: 'cors.method_not_allowed',
    ruleId: `${p.at}.methods`,
    detail: served ? `preflight from ${clip(origin)} for ${m}, which is not in ${p.at}.methods (${allowed})` : `preflight from ${clip(origin)} for ${m}, which route ${route?.id} does not serve (${allowed})`,
    hint: `${m} is not allowed cross-origin here; allowed: ${allowed}.`,
    evidence: [{ where: 'header:Access-Control-Request-Method', expected: allowed, observed: m }],
    fixes: [
      { who: 'client', action: `Use one of: ${allowed}.`, proved: false, retryable: false },
      { who: 'operator', action: served ? `Add ${m} to ${p.at}.methods if pages should send it.` : `Route ${route?.id} does not serve ${m}: add it to the route's methods first.`, proved: false, retryable: false },
    ],
  };
}

function headerRefused(p: Plan, origin: string, header: string): Denial {
  const h = clip(header);
  const allowed = [...p.headers].join(', ') || '(none)';
  return {
    code: 'cors.header_not_allowed',
    ruleId: `${p.at}.headers`,
    detail: `preflight from ${clip(origin)} asks to send header ${h}, which is not in ${p.at}.headers (${allowed})`,
    hint: `The header ${h} may not be sent cross-origin here; allowed: ${allowed}.`,
    evidence: [{ where: 'header:Access-Control-Request-Headers', expected: allowed, observed: h }],
    fixes: [
      { who: 'client', action: `Do not send ${h}.`, proved: false, retryable: false },
      { who: 'operator', action: `Add ${h} to ${p.at}.headers if pages should send it.`, proved: false, retryable: false },
    ],
  };
}
