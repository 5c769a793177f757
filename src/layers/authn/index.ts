import type { Config } from '../../config/schema.ts';
import type { Denial } from '../../decision/types.ts';
import type { EvalContext, Layer, LayerResult } from '../../pipeline/types.ts';
import { SKIP } from '../../pipeline/types.ts';
import { apiKeyVerifier } from './api-key/verify.ts';
import { Directory } from './consumers.ts';
import { presentedCredentials } from './presented.ts';
import { isDenial, type Identity, type KeyIndex, type Presented, type Verifier, type VerifyResult } from './types.ts';

export interface AuthnDeps {
  keys: KeyIndex;
  /** Builds the verifier for a route's `jwt`, `jwt:<name>` or `introspection:<name>` entry. */
  tokenVerifier?(entry: string): Verifier | undefined;
}

interface RoutePlan {
  verifiers: Verifier[];
  challenges: Record<string, string>;
  keyInQuery: boolean;
}

/** Who is calling: reads the credentials a route accepts, checks them, admits the consumer. */
export function authnLayer(config: Config, deps: AuthnDeps): Layer {
  const directory = new Directory(config);
  const { realm, apiKeys } = config.authn;
  const keyHeader = apiKeys.header.toLowerCase();
  const plans = new Map<string, RoutePlan>();
  const apiKey = apiKeyVerifier(deps.keys, realm, apiKeys.header);
  for (const route of config.routes) {
    if (!route.authn) continue;
    const verifiers = route.authn.map((entry) => {
      const v = entry === 'apiKey' ? apiKey : deps.tokenVerifier?.(entry);
      if (!v) throw new Error(`route ${route.id}: authn entry ${entry} is not available`);
      return v;
    });
    plans.set(route.id, { verifiers, challenges: { 'www-authenticate': [...new Set(verifiers.map((v) => v.challenge))].join(', ') }, keyInQuery: route.apiKeyInQuery });
  }

  return {
    name: 'authn',
    evaluate(ctx: EvalContext): LayerResult | Promise<LayerResult> {
      if (!ctx.route) return SKIP;
      const plan = plans.get(ctx.route.id);
      if (!plan) return undefined; // a public route
      const presented = presentedCredentials(ctx.req, { keyHeader, keyQueryParam: apiKeys.queryParam, keyInQuery: plan.keyInQuery });
      if (!Array.isArray(presented)) return challenge(presented, plan);
      if (presented.length === 0) return challenge(missing(plan), plan);
      for (const p of presented) {
        const v = plan.verifiers.find((x) => x.accepts(p));
        if (!v) continue;
        const result = v.verify(p);
        return result instanceof Promise ? result.then((r) => conclude(ctx, r, plan)) : conclude(ctx, result, plan);
      }
      return challenge(notAccepted(presented, plan), plan);
    },
  };

  function conclude(ctx: EvalContext, r: VerifyResult, plan: RoutePlan): LayerResult {
    if (isDenial(r)) return challenge(r, plan);
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

/** 401s carry the challenges of every credential the route accepts (RFC 9110 §11.6.1). */
function challenge(d: Denial, plan: RoutePlan): Denial {
  const spec401 = d.code !== 'authn.consumer_suspended' && d.code !== 'authn.tenant_suspended';
  if (spec401) d.headers = { ...plan.challenges, ...d.headers };
  return d;
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
