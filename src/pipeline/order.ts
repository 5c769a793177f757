import type { Config } from '../config/schema.ts';
import { authnLayer, type AuthnDeps } from '../layers/authn/index.ts';
import { methodLayer } from '../layers/method/index.ts';
import { compileProtocol, protocolLayer } from '../layers/protocol/index.ts';
import { compileRoutes } from '../layers/route/compile.ts';
import { routeLayer } from '../layers/route/index.ts';
import { Pipeline } from './pipeline.ts';

/** What layers need from outside the config: stores and clients, injected (layers never open them). */
export interface PipelineDeps {
  authn: AuthnDeps;
}

/** For checking a config on its own (validate): no stored credentials. */
export const NO_DEPS: PipelineDeps = {
  authn: { keys: { get: () => undefined, touch: () => {} } },
};

/**
 * The order of the layers, in one place. Each later issue adds its layer here
 * (network, WAF, CSRF, authorization, limits). Everything expensive happens in this
 * compile step, at config load; a bad rule throws here.
 */
export function compilePipeline(config: Config, deps: PipelineDeps = NO_DEPS): Pipeline {
  const routes = compileRoutes(config);
  return new Pipeline([
    protocolLayer(compileProtocol(config)),
    routeLayer(routes, config.gateway.versionHeader.toLowerCase()),
    methodLayer(),
    authnLayer(config, deps.authn),
  ]);
}
