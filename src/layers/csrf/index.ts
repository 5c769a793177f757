import type { Config } from '../../config/schema.ts';
import type { DecisionCode } from '../../decision/codes.ts';
import type { Denial, Fix } from '../../decision/types.ts';
import type { EvalContext, Layer, LayerResult, RequestDescription } from '../../pipeline/types.ts';
import { SKIP } from '../../pipeline/types.ts';
import { cookieValue } from '../authn/session/cookie.ts';
import { normalizeOrigin, requestOrigin } from '../cors/origin.ts';
import { csrfIssuer, type CsrfIssuer } from './token.ts';

export { csrfIssuer, loginCsrfHeaders, type CsrfIssuer } from './token.ts';

/** What the csrf layer needs from outside the config (clients, stores), injected by the runtime. */
export interface CsrfDeps {
  /** Where the session secret is read (authn.sessions.secretEnv); default: process.env. */
  env?: NodeJS.ProcessEnv;
}

/** Methods that must not change state (RFC 9110 §9.2.1): not checked, and where tokens are handed out. */
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);
const FORM_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data']);

interface Settings {
  issuer: CsrfIssuer;
  sessionCookie: string;
  trusted: ReadonlySet<string>;
  formField: string | null;
  trustedProxies: boolean;
}

/**
 * CSRF protection of routes that accept session cookies (a `session` authn entry), after the
 * OWASP cheat sheet: a state-changing request made with the session cookie must come from the
 * gateway's own origin or a trusted one (Sec-Fetch-Site, then Origin, else Referer) and carry the
 * signed double-submit token (header or form field, equal to the token cookie, signed by this
 * gateway, bound to this session). Requests authenticated otherwise (an API key, a bearer token)
 * carry nothing a browser adds by itself, so they are not checked. Safe requests with a session
 * get a token when they have none valid (cookie and response header), so a page can always get one.
 */
export function csrfLayer(config: Config, deps: CsrfDeps = {}): Layer | undefined {
  const routes = new Set<string>();
  for (const r of config.routes) if (r.authn?.includes('session') && r.csrf !== false) routes.add(r.id);
  if (routes.size === 0 || !config.authn.sessions) return undefined;
  const s: Settings = {
    issuer: csrfIssuer(config, deps.env ?? process.env)!,
    sessionCookie: config.authn.sessions.cookie,
    trusted: new Set(config.csrf.trustedOrigins.map((o) => normalizeOrigin(o) ?? o)),
    formField: config.csrf.formField,
    trustedProxies: config.ip.trustedProxies.length > 0,
  };
  const header = config.csrf.header.toLowerCase();
  return {
    name: 'csrf',
    // The token may come in a form field: then the body layer reads the bodies of these routes.
    needsBody: (route) => s.formField !== null && routes.has(route.id),
    evaluate(ctx: EvalContext): LayerResult {
      if (!ctx.route) return SKIP;
      if (!routes.has(ctx.route.id)) return undefined;
      const req = ctx.req;
      const cookies = typeof req.headers.cookie === 'string' ? req.headers.cookie : undefined;
      const session = cookies === undefined ? undefined : cookieValue(cookies, s.sessionCookie);
      // Only requests that ride on the session cookie; an identity from a key or token is not at risk.
      if (ctx.identity ? ctx.identity.via !== 'session' : session === undefined) return undefined;
      if (session === undefined) return undefined;
      const tokenCookie = cookieValue(cookies!, s.issuer.cookie);
      const nowS = Math.floor(Date.now() / 1000);
      if (SAFE.has(req.method)) {
        const id = ctx.identity;
        if (id && !ctx.dryRun && (tokenCookie === undefined || s.issuer.check(tokenCookie, session, nowS) !== 'ok')) {
          const { token, setCookie } = s.issuer.issue(session, id.expiresAt ?? nowS + 3600);
          (ctx.responseHeaders ??= {})['set-cookie'] = setCookie;
          ctx.responseHeaders[header] = token;
        }
        return undefined;
      }
      const where = checkOrigin(req, s);
      if (where) return where;
      if (tokenCookie === undefined) return deny('csrf.cookie_missing', `cookie:${s.issuer.cookie}`, 'the token cookie', 'absent', s, header);
      const sent = tokenFrom(ctx, header, s.formField);
      if (sent === undefined) return deny('csrf.token_missing', `header:${header}`, `the token in the ${header} header${s.formField === null ? '' : ` or the ${s.formField} form field`}`, 'absent', s, header);
      if (sent.value !== tokenCookie) return deny('csrf.token_mismatch', sent.where, `the value of cookie ${s.issuer.cookie}`, 'another value', s, header);
      const checked = s.issuer.check(sent.value, session, nowS);
      if (checked === 'invalid') return deny('csrf.token_invalid', sent.where, 'a token signed by this gateway', 'a token it did not sign (forged or altered)', s, header);
      if (checked !== 'ok') return deny('csrf.token_stale', sent.where, 'a token of this session', checked === 'expired' ? 'an expired token' : "a token of another session", s, header);
      return undefined;
    },
  };
}

function tokenFrom(ctx: EvalContext, header: string, field: string | null): { value: string; where: string } | undefined {
  const h = ctx.req.headers[header];
  if (typeof h === 'string' && h !== '') return { value: h.trim(), where: `header:${header}` };
  const body = ctx.body;
  if (field !== null && body?.fields && FORM_TYPES.has(body.mediaType)) {
    const f = body.fields.find(([name]) => name === field);
    if (f && f[1] !== '') return { value: f[1], where: `body:${field}` };
  }
  return undefined;
}

/** Sec-Fetch-Site, then Origin, else Referer: undefined when the request comes from an origin that may send it. */
function checkOrigin(req: RequestDescription, s: Settings): Denial | undefined {
  const own = requestOrigin(req);
  const ok = (origin: string | undefined) => origin !== undefined && (origin === own || s.trusted.has(origin));
  const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
  const normalized = origin === undefined ? undefined : normalizeOrigin(origin);
  const site = req.headers['sec-fetch-site'];
  if (site === 'cross-site' && !ok(normalized)) {
    return originDenial('csrf.cross_site', 'header:Sec-Fetch-Site', 'same-origin or same-site', 'cross-site', origin, own, req, s);
  }
  if (origin !== undefined) return ok(normalized) ? undefined : originDenial('csrf.origin_not_allowed', 'header:Origin', own ?? '(no Host)', clip(origin), origin, own, req, s);
  const referer = typeof req.headers.referer === 'string' ? req.headers.referer : undefined;
  if (referer === undefined) {
    return deny('csrf.referer_missing', 'header:Origin', 'an Origin or Referer header naming this site', 'neither', s, '');
  }
  const from = normalizeOrigin(referer);
  return ok(from) ? undefined : originDenial('csrf.origin_not_allowed', 'header:Referer', own ?? '(no Host)', from ?? 'not a URL', from, own, req, s);
}

function clip(v: string): string {
  return v.length > 100 ? v.slice(0, 100) + '…' : v;
}

const HINTS: Record<string, string> = {
  'csrf.cross_site': 'The browser sent this request from another site; it is refused to protect the session.',
  'csrf.origin_not_allowed': 'State-changing requests with the session cookie must come from this site\'s own pages.',
  'csrf.referer_missing': 'The request carries neither Origin nor Referer; send it from a page of this site (and do not strip those headers).',
  'csrf.cookie_missing': 'The CSRF cookie is missing: load a page of this site (any GET with the session) or log in again to get one.',
  'csrf.token_missing': 'Send the CSRF token (from the CSRF cookie or the last response header) in the request header or form field.',
  'csrf.token_mismatch': 'The CSRF token sent does not match the CSRF cookie: send the current value of the cookie.',
  'csrf.token_invalid': 'The CSRF token is not one this site issued: reload the page to get a fresh one.',
  'csrf.token_stale': 'The CSRF token has expired or belongs to another session: reload the page to get a fresh one.',
};

function deny(code: DecisionCode, where: string, expected: string, observed: string, s: Settings, header: string): Denial {
  const hint = HINTS[code];
  const tokenNote = header ? ` (cookie ${s.issuer.cookie}, header ${header}${s.formField === null ? '' : ` or form field ${s.formField}`})` : '';
  return {
    code,
    ruleId: `csrf.${code.slice(5)}`,
    detail: `${where}: expected ${expected}, got ${observed}${tokenNote}`,
    hint,
    evidence: [{ where, expected, observed }],
    fixes: [{ who: 'client', action: hint, proved: false, retryable: false }],
  };
}

function originDenial(code: DecisionCode, where: string, expected: string, observed: string, origin: string | undefined, own: string | undefined, req: RequestDescription, s: Settings): Denial {
  const d = deny(code, where, expected, observed, s, '');
  d.detail = `${where} is ${observed}; this request was addressed to ${own ?? '(no Host)'}${s.trusted.size ? `; trusted origins: ${[...s.trusted].join(', ')}` : ''}`;
  d.fixes.push(...proxyFixes(origin, own, req, s));
  d.fixes.push({ who: 'operator', action: 'If pages on that origin are yours, add it to csrf.trustedOrigins (and to cors.origins with credentials).', proved: false, retryable: false });
  return d;
}

/**
 * An https page on the gateway's own host, seen as http: a TLS-terminating proxy in front of the
 * gateway whose X-Forwarded-Proto is not believed. The fix names the set-up, not the page.
 */
function proxyFixes(origin: string | undefined, own: string | undefined, req: RequestDescription, s: Settings): Fix[] {
  const o = origin === undefined ? undefined : normalizeOrigin(origin);
  if (!o || !own || !o.startsWith('https://') || !own.startsWith('http://') || hostname(o) !== hostname(own)) return [];
  const action = s.trustedProxies
    ? `The page is https but the gateway saw plain http: the proxy at ${req.peerIp ?? req.clientIp} is not trusted or sent no X-Forwarded-Proto. Trust it in ip.trustedProxies and make it send X-Forwarded-Proto: https.`
    : `The page is https but the gateway saw plain http: a TLS-terminating proxy is in front of it. Add the proxy to ip.trustedProxies so its X-Forwarded-Proto is believed.`;
  return [{ who: 'operator', action, proved: false, retryable: false }];
}

function hostname(origin: string): string {
  return new URL(origin).hostname;
}
