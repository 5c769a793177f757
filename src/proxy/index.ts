import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config/schema.ts';
import type { CompiledRoute } from '../layers/route/compile.ts';
import { ProxyCall } from './call.ts';
import { upstreamHeaders } from './headers.ts';
import { createServiceProxy, type ServiceProxy } from './service.ts';
import { upstreamPath } from './target-path.ts';
import type { ForwardInfo, ProxyOutcome, ServiceProxies } from './types.ts';

/**
 * Only these are retried, and only when the connection failed before any byte was sent.
 * PUT and DELETE are idempotent too, but a gateway cannot know an upstream honours that.
 */
const RETRY_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The proxies of one config revision: a pool per upstream, built once. */
export function createProxies(config: Config): ServiceProxies {
  const services = new Map<string, ServiceProxy>();
  for (const [name, sc] of Object.entries(config.services)) services.set(name, createServiceProxy(name, sc));

  let inFlight = 0;
  let onIdle: (() => void) | null = null;
  let closing: Promise<void> | undefined;
  const settled = () => {
    if (--inFlight === 0 && onIdle !== null) onIdle();
  };

  return {
    forward(req: IncomingMessage, res: ServerResponse, route: CompiledRoute, info: ForwardInfo): Promise<ProxyOutcome> {
      const service = services.get(route.service);
      if (service === undefined) {
        return Promise.resolve({ error: 'upstream.unavailable', errorDetail: `no service named ${route.service}`, attempts: 0 });
      }
      try {
        // A body the pipeline read (to inspect it) is sent as those bytes; otherwise it streams.
        const body = info.body ?? (hasBody(req) ? req : null);
        const method = req.method!;
        const call = new ProxyCall(
          req,
          res,
          service,
          upstreamPath(info.path, info.query, route.stripPrefix),
          upstreamHeaders(req.headers, info),
          body,
          body === null && RETRY_METHODS.has(method),
          settled,
          info.captureBody,
          info.gatewayHeaders,
        );
        inFlight++;
        call.start();
        return call.promise;
      } catch (err) {
        // A bug of ours must still not leave the request hanging.
        return Promise.resolve({ error: 'upstream.bad_response', errorDetail: `proxy failure: ${(err as Error).message}`, attempts: 0 });
      }
    },

    health() {
      const now = Date.now();
      const out: ReturnType<ServiceProxies['health']> = [];
      for (const s of services.values()) {
        for (const p of s.balancer.peers) {
          const ejected = p.ejectedUntil > now;
          out.push({
            service: s.name,
            url: p.target.url,
            healthy: !ejected,
            consecutiveFailures: p.consecutiveFailures,
            ...(ejected ? { ejectedUntil: p.ejectedUntil } : {}),
          });
        }
      }
      return out;
    },

    close() {
      closing ??= (async () => {
        if (inFlight > 0) await new Promise<void>((r) => (onIdle = r));
        const pools = [...services.values()].flatMap((s) => s.balancer.peers.map((p) => p.target.pool));
        await Promise.all(pools.map((p) => p.close()));
      })();
      return closing;
    },
  };
}

/** Whether the client request carries a body to stream upstream. */
function hasBody(req: IncomingMessage): boolean {
  const h = req.headers;
  if (h['transfer-encoding'] !== undefined) return true;
  const cl = h['content-length'];
  return cl !== undefined && cl !== '0';
}
