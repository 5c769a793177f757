import type { Config } from '../../config/schema.ts';
import { codeSpec } from '../../decision/codes.ts';
import type { Denial } from '../../decision/types.ts';
import type { Assumed, EvalContext, Layer, LayerResult } from '../../pipeline/types.ts';
import { SKIP } from '../../pipeline/types.ts';
import { apiKeyVerifier } from './api-key/verify.ts';
import { basicVerifier, passwordChecker } from './basic/verify.ts';
import { Directory } from './consumers.ts';
import { introspectionVerifier } from './introspection/index.ts';
import type { IsDeclared } from './jwt/claims.ts';
import { JwtVerifiers } from './jwt/index.ts';
import { presentedCredentials } from './presented.ts';
import { loginCheck, sessionSettings } from './session/login.ts';
import { sessionChallenge, sessionVerifier } from './session/verify.ts';
import { isDenial, type Identity, type KeyIndex, type PasswordIndex, type Presented, type Refusal, type Verifier, type VerifyResult } from './types.ts';

export interface AuthnDeps {
  keys: KeyIndex;
  /** Consumers' password hashes, for `basic` entries; without it no password is known. */
  passwords?: PasswordIndex;
  /** Where introspection client secrets are read (clientSecretEnv); default: process.env. */
  env?: NodeJS.ProcessEnv;
}

interface RoutePlan {
  verifiers: Verifier[];
  /** One challenge per kind of credential the route accepts, in order. */
  challenges: string[];
  keyInQuery: boolean;
  /** The session cookie's name when the route accepts sessions. */
  sessionCookie?: string;
  /** The login route: the credentials are in the body. */
  login?: boolean;
}

/** A route's authn entry that names nothing available; `path` points the load at the entry. */
class UnavailableEntryError extends Error {
  constructor(
    message: string,
    readonly path: (string | number)[],
  ) {
    super(message);
  }
}

/** Who is calling: reads the credentials a route accepts, checks them, admits the consumer. */
export function authnLayer(config: Config, deps: AuthnDeps): Layer {
  const directory = new Directory(config);
  const { realm, apiKeys } = config.authn;
  const keyHeader = apiKeys.header.toLowerCase();
  const plans = new Map<string, RoutePlan>();
  const apiKey = apiKeyVerifier(deps.keys, realm, apiKeys.header, apiKeys.bearer);
  const tokens = tokenVerifiers(config, directory, deps.env ?? process.env);
  const passwords = deps.passwords ?? { password: () => undefined };
  const isConsumer = (name: string) => directory.find(name)?.name === name;
  const basic = basicVerifier(passwords, realm, isConsumer);
  const sessions = sessionSettings(config, deps.env ?? process.env);
  const session = sessions && sessionVerifier(sessions, passwords, isConsumer);
  const login = sessions && loginCheck(passwordChecker(passwords, isConsumer), sessions.loginPath);
  const loginChallenge = sessions && sessionChallenge(sessions);
  config.routes.forEach((route, i) => {
    if (route.serve === 'login') {
      plans.set(route.id, { verifiers: [], challenges: [loginChallenge!], keyInQuery: false, login: true });
      return;
    }
    if (!route.authn) return;
    const verifiers = route.authn.map((entry, j) => {
      const v = entry === 'apiKey' ? apiKey : entry === 'basic' ? basic : entry === 'session' ? session : tokens(entry);
      if (!v) throw new UnavailableEntryError(`route ${route.id}: authn entry ${entry} is not available`, ['routes', i, 'authn', j]);
      return v;
    });
    const sessionCookie = session && verifiers.includes(session) ? sessions!.cookie : undefined;
    plans.set(route.id, { verifiers, challenges: [...new Set(verifiers.map((v) => v.challenge))], keyInQuery: route.apiKeyInQuery, sessionCookie });
  });

  return {
    name: 'authn',
    needsBody: (route) => route.serve === 'login',
    evaluate(ctx: EvalContext): LayerResult | Promise<LayerResult> {
      if (!ctx.route) return SKIP;
      const plan = plans.get(ctx.route.id);
      if (!plan) return undefined; // a public route
      if (ctx.assume) return conclude(ctx, assumed(ctx.assume), plan);
      if (plan.login) {
        const result = login!(ctx);
        return result instanceof Promise ? result.then((r) => conclude(ctx, r, plan)) : conclude(ctx, result, plan);
      }
      const presented = presentedCredentials(ctx.req, { keyHeader, keyQueryParam: apiKeys.queryParam, keyInQuery: plan.keyInQuery, sessionCookie: plan.sessionCookie });
      if (!Array.isArray(presented)) return challenge(presented, plan);
      if (presented.length === 0) return challenge(missing(plan), plan);
      for (const p of presented) {
        const v = plan.verifiers.find((x) => x.accepts(p));
        if (!v) continue;
        const result = v.verify(p, ctx.dryRun);
        return result instanceof Promise ? result.then((r) => conclude(ctx, r, plan, v)) : conclude(ctx, result, plan, v);
      }
      return challenge(notAccepted(presented, plan), plan);
    },
  };

  function conclude(ctx: EvalContext, r: VerifyResult, plan: RoutePlan, v?: Verifier): LayerResult {
    if (isDenial(r)) {
      const tried = (r as Refusal).tried;
      if (tried) {
        ctx.credential = tried.credential;
        if (tried.consumer !== undefined) {
          ctx.consumer = tried.consumer;
          ctx.tenant = directory.find(tried.consumer)?.tenant;
        }
      }
      return challenge(r, plan, v);
    }
    const refused = directory.admit(r);
    ctx.identity = r;
    ctx.consumer = r.consumer;
    ctx.tenant = r.tenant;
    ctx.credential = r.credential;
    if (refused) {
      ctx.audience = 'caller';
      return refused;
    }
    ctx.audience = 'caller';
    return undefined;
  }
}

/** The identity explain and replay take a request to have (EvalContext.assume). */
function assumed(a: Assumed): Identity {
  return { consumer: a.consumer, credential: a.credential, via: 'assumed', scopes: a.scopes, roles: [] };
}

/**
 * 401s carry the challenges of every credential the route accepts (RFC 9110 §11.6.1). A
 * verifier that refused with its own challenge (a Bearer challenge with error="invalid_token",
 * RFC 6750 §3) has it in place of its plain one; the route's other challenges stay.
 */
function challenge(d: Denial, plan: RoutePlan, by?: Verifier): Denial {
  if (codeSpec(d.code).status !== 401) return d;
  const own = d.headers?.['www-authenticate'];
  const challenges = own && by ? plan.challenges.map((c) => (c === by.challenge ? own : c)) : plan.challenges;
  d.headers = { ...d.headers, 'www-authenticate': challenges.join(', ') };
  return d;
}

/** The verifiers of `jwt`, `jwt:<name>` and `introspection:<name>` entries, compiled from config.authn. */
function tokenVerifiers(config: Config, directory: Directory, env: NodeJS.ProcessEnv): (entry: string) => Verifier | undefined {
  const subjectsOf = (source: string): IsDeclared => (subject) => directory.subject(source, subject);
  const jwt = new JwtVerifiers(config, subjectsOf);
  const introspection = new Map<string, Verifier>();
  for (const [name, endpoint] of Object.entries(config.authn.introspection)) {
    introspection.set(`introspection:${name}`, introspectionVerifier(name, endpoint, config.authn.realm, subjectsOf(name), env));
  }
  return (entry) => (entry === 'jwt' || entry.startsWith('jwt:') ? jwt.verifier(entry) : introspection.get(entry));
}

function missing(plan: RoutePlan): Denial {
  const accepted = plan.verifiers.map((v) => v.name).join(', ');
  return {
    code: 'authn.credential_missing',
    ruleId: 'route.authn',
    detail: `the route requires one of: ${accepted}; the request carried no credential`,
    hint: 'This API requires authentication: send your API key or token.',
    evidence: [{ where: 'headers', expected: `a credential (${accepted})`, observed: 'none' }],
    fixes: [{ who: 'client', action: 'Send a credential the route accepts (see the WWW-Authenticate header).', proved: false, retryable: false }],
  };
}

function notAccepted(presented: Presented[], plan: RoutePlan): Denial {
  const accepted = plan.verifiers.map((v) => v.name).join(', ');
  const kinds = presented.map((p) => `${p.kind} in ${p.where}`).join(', ');
  return {
    code: 'authn.credential_malformed',
    ruleId: 'route.authn',
    detail: `the route accepts ${accepted}; the request carried ${kinds}`,
    hint: 'This API does not accept the kind of credential sent: see the WWW-Authenticate header.',
    evidence: [{ where: presented[0].where, expected: accepted, observed: presented.map((p) => p.kind).join(', ') }],
    fixes: [
      { who: 'client', action: `Authenticate with one of: ${accepted}.`, proved: false, retryable: false },
      { who: 'operator', action: 'Add the credential kind to the route\'s authn list if it should be accepted.', proved: false, retryable: false },
    ],
  };
}

export type { Identity };
