import type { Config } from '../config/schema.ts';
import { aiLayer } from '../layers/ai/index.ts';
import { authnLayer, type AuthnDeps } from '../layers/authn/index.ts';
import { authzLayer, type AuthzDeps } from '../layers/authz/index.ts';
import { bodyLayer } from '../layers/body/index.ts';
import { corsLayer, type CorsDeps } from '../layers/cors/index.ts';
import { csrfLayer, type CsrfDeps } from '../layers/csrf/index.ts';
import { compileClientAddress, ipIdentityLayer, ipLayer, type IpDeps } from '../layers/ip/index.ts';
import { limitsLayer, type LimitsDeps } from '../layers/limits/index.ts';
import { methodLayer } from '../layers/method/index.ts';
import { compileProtocol, protocolLayer } from '../layers/protocol/index.ts';
import { compileRoutes, type CompiledRoute } from '../layers/route/compile.ts';
import { routeLayer } from '../layers/route/index.ts';
import { wafLayer, type WafDeps } from '../layers/waf/index.ts';
import { Pipeline } from './pipeline.ts';
import type { Layer } from './types.ts';

/** What layers need from outside the config: stores and clients, injected (layers never open them). */
export interface PipelineDeps {
  authn: AuthnDeps;
  ip?: IpDeps;
  waf?: WafDeps;
  cors?: CorsDeps;
  csrf?: CsrfDeps;
  authz?: AuthzDeps;
  limits?: LimitsDeps;
}

/** For checking a config on its own (validate): no stored credentials. */
export const NO_DEPS: PipelineDeps = {
  authn: { keys: { get: () => undefined, touch: () => {} } },
};

/**
 * The order of the layers, in one place. Everything expensive happens in this compile
 * step, at config load; a bad rule throws here. Layers a config does not use are left
 * out (undefined) and cost nothing.
 *
 * protocol → route → method → ip → body → waf → cors → authn → ip (identity) → csrf → authz → limits → ai
 * Cheap refusals that need no identity come first; the body is read only when a later
 * layer inspects it on the matched route; limits count only requests that would pass; the
 * ai layer (AI routes only) charges its budgets last, on the limits layer's counters.
 */
export function compilePipeline(config: Config, deps: PipelineDeps = NO_DEPS): Pipeline {
  const routes = compileRoutes(config);
  const ip = ipLayer(config, deps.ip);
  const waf = wafLayer(config, deps.waf);
  const cors = corsLayer(config, deps.cors);
  const authn = authnLayer(config, deps.authn);
  // The tenant's and consumer's address lists need the identity: a second ip instance after authn (see ipIdentityLayer).
  const ipIdentity = ipIdentityLayer(config);
  const csrf = csrfLayer(config, deps.csrf ?? { env: deps.authn.env });
  const authz = authzLayer(config, deps.authz);
  const limits = limitsLayer(config, deps.limits);
  const ai = aiLayer(config, deps.limits);
  const inspecting = [ip, waf, cors, authn, csrf, authz, limits, ai].filter((l): l is Layer => l?.needsBody !== undefined);
  const needsBody = (route: CompiledRoute) => inspecting.some((l) => l.needsBody!(route));
  const layers: (Layer | undefined)[] = [
    protocolLayer(compileProtocol(config)),
    routeLayer(routes, config.gateway.versionHeader.toLowerCase()),
    methodLayer(cors && ((route) => cors.answersPreflight(route))),
    ip,
    bodyLayer(config, needsBody, routes.all),
    waf,
    cors,
    authn,
    ipIdentity,
    csrf,
    authz,
    limits,
    ai,
  ];
  return new Pipeline(
    layers.filter((l): l is Layer => l !== undefined),
    compileClientAddress(config),
  );
}
