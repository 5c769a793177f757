import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { newRequestId } from '../server/request-id.ts';
import { bearerTokenCheck } from './auth.ts';
import { ENDPOINTS, WHY_PREFIX, why } from './endpoints.ts';
import { EXPLAIN_PATH, explainEndpoint } from './explain.ts';
import { KEY_PATHS, keysEndpoint } from './keys.ts';
import { OWNER_PATHS, ownersEndpoint } from './owners.ts';
import { sendProblem } from './reply.ts';
import { StoreUnavailableError } from '../store/types.ts';
import type { AdminDeps, AdminRequest, AdminServer, Endpoint } from './types.ts';

export type { AdminDeps, AdminServer } from './types.ts';

const ALLOW = 'GET, HEAD';
const REALM = 'Bearer realm="pinpoint-admin"';

/**
 * The admin API on its own listener. Every request, whatever its path, must carry the admin
 * bearer token: without it the answer is the same 401 everywhere, so nothing about what
 * exists is revealed. With no token configured the API refuses everything (never open by default).
 */
export async function startAdmin(deps: AdminDeps): Promise<AdminServer> {
  const checkToken = bearerTokenCheck(deps.token);
  deps.metrics.setSources({
    callLogStats: deps.callLogStats,
    revision: () => deps.loaded().revision,
    upstreamHealth: deps.upstreamHealth,
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = newRequestId();
    res.setHeader('x-request-id', requestId);
    const { config } = deps.loaded();
    const typeBase = config.gateway.errorTypeBase;
    // The admin API reads no bodies (but key management's): close rather than drain one.
    const cl = req.headers['content-length'];
    const close = (cl !== undefined && cl !== '0') || req.headers['transfer-encoding'] !== undefined;

    const auth = checkToken(req.headers.authorization);
    if (auth === 'not_configured') {
      sendProblem(res, 'admin.token_not_configured', requestId, typeBase, {
        detail: `The admin API refuses every request until a token is set: put a long random value in the environment variable ${config.admin.tokenEnv} and restart.`,
        close,
      });
      return;
    }
    if (auth !== 'ok') {
      sendProblem(res, 'admin.unauthorized', requestId, typeBase, {
        detail: 'Send the admin token as Authorization: Bearer <token>.',
        headers: { 'www-authenticate': auth === 'invalid' ? `${REALM}, error="invalid_token"` : REALM },
        close,
      });
      return;
    }

    const target = req.url ?? '/';
    const q = target.indexOf('?');
    const path = q < 0 ? target : target.slice(0, q);
    const query = new URLSearchParams(q < 0 ? '' : target.slice(q + 1));
    // Key and ownership management and explain read JSON bodies and check their own methods.
    const keys = (deps.keys ? keysEndpoint(path) : undefined) ?? (deps.owners ? ownersEndpoint(path) : undefined) ?? (deps.explain ? explainEndpoint(path) : undefined);
    let endpoint: Endpoint | undefined = keys ?? ENDPOINTS.get(path);
    if (!endpoint && path.startsWith(WHY_PREFIX) && path.length > WHY_PREFIX.length && !path.includes('/', WHY_PREFIX.length)) {
      const id = path.slice(WHY_PREFIX.length);
      endpoint = (r) => why(r, id);
    }
    if (!endpoint) {
      sendProblem(res, 'admin.no_such_endpoint', requestId, typeBase, {
        detail: `Endpoints: ${[...ENDPOINTS.keys(), WHY_PREFIX + ':requestId', ...(deps.keys ? KEY_PATHS : []), ...(deps.owners ? OWNER_PATHS : []), ...(deps.explain ? [EXPLAIN_PATH] : [])].join(', ')}.`,
        close,
      });
      return;
    }
    if (!keys && req.method !== 'GET' && req.method !== 'HEAD') {
      sendProblem(res, 'admin.method_not_allowed', requestId, typeBase, { detail: `Use ${ALLOW}.`, headers: { allow: ALLOW }, close });
      return;
    }

    const r: AdminRequest = { req, res, path, query, requestId, typeBase, deps };
    try {
      await endpoint(r);
    } catch (err) {
      if (res.headersSent) res.destroy();
      else if (err instanceof StoreUnavailableError) sendProblem(res, 'admin.store_unavailable', requestId, typeBase, { detail: err.message });
      else sendProblem(res, 'admin.internal', requestId, typeBase, { detail: `The admin API failed: ${(err as Error).message}` });
    }
  }

  const server = createServer({ requestTimeout: 10_000, headersTimeout: 5_000, keepAliveTimeout: 5_000 }, (req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(deps.port, deps.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    address: server.address() as AddressInfo,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
