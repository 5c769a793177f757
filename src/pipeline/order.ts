import type { Config } from '../config/schema.ts';
import { methodLayer } from '../layers/method/index.ts';
import { compileProtocol, protocolLayer } from '../layers/protocol/index.ts';
import { compileRoutes } from '../layers/route/compile.ts';
import { routeLayer } from '../layers/route/index.ts';
import { Pipeline } from './pipeline.ts';

/**
 * The order of the layers, in one place. Each later issue adds its layer here
 * (network, WAF, authentication, CSRF, authorization, limits). Everything expensive
 * happens in this compile step, at config load; a bad rule throws here.
 */
export function compilePipeline(config: Config): Pipeline {
  const routes = compileRoutes(config);
  return new Pipeline([protocolLayer(compileProtocol(config)), routeLayer(routes, config.gateway.versionHeader.toLowerCase()), methodLayer()]);
}
