import { parseLogsQuery } from './logs-query.ts';
import { report } from './report.ts';
import { redactConfig, redactUrlPassword } from './redact-config.ts';
import { sendJson, sendProblem, sendText } from './reply.ts';
import type { AdminRequest, Endpoint } from './types.ts';

const startedAt = Date.now();
/** Request ids as the gateway makes them, and correlation ids it keeps. */
const REQUEST_ID = /^[A-Za-z0-9._:\-]{1,128}$/;

/** Liveness: the admin listener answers. */
function health({ res, deps }: AdminRequest): void {
  sendJson(res, 200, { status: 'ok', revision: deps.loaded().revision, uptimeS: Math.round((Date.now() - startedAt) / 1000) });
}

/** Readiness: the gateway listens and the call log keeps up (not full) and can be read. */
function ready({ res, deps, requestId, typeBase }: AdminRequest): void {
  const stats = deps.callLogStats();
  const gateway = deps.ready();
  const callLogKeepingUp = stats.queued < deps.loaded().config.log.queueLimit;
  let callLogReadable = true;
  try {
    deps.reader.list({ limit: 1 });
  } catch {
    callLogReadable = false;
  }
  const checks = { gateway, callLogKeepingUp, callLogReadable };
  if (gateway && callLogKeepingUp && callLogReadable) {
    sendJson(res, 200, { ready: true, checks, callLog: stats });
    return;
  }
  const failing = Object.entries(checks).filter(([, ok]) => !ok).map(([name]) => name);
  sendProblem(res, 'admin.not_ready', requestId, typeBase, {
    detail: `Not ready: ${failing.join(', ')} failing.`,
    extensions: { checks, callLog: stats },
  });
}

function config({ res, deps }: AdminRequest): void {
  const loaded = deps.loaded();
  sendJson(res, 200, { revision: loaded.revision, source: loaded.source, config: redactConfig(loaded.config) });
}

function logs({ res, query, deps, requestId, typeBase }: AdminRequest): void {
  const parsed = parseLogsQuery(query);
  if (!parsed.ok) {
    sendProblem(res, 'admin.bad_query', requestId, typeBase, { detail: parsed.error });
    return;
  }
  const entries = deps.reader.list(parsed.value);
  sendJson(res, 200, { count: entries.length, entries });
}

/** The same lookup as `pinpoint why`, as JSON. */
export function why({ res, deps, requestId, typeBase }: AdminRequest, id: string): void {
  if (!REQUEST_ID.test(id)) {
    sendProblem(res, 'admin.bad_query', requestId, typeBase, { detail: 'A request id is 1 to 128 letters, digits and . _ : -' });
    return;
  }
  const entry = deps.reader.get(id);
  if (!entry) {
    sendProblem(res, 'admin.not_found', requestId, typeBase, {
      detail: `No call log entry has request id ${id}. It may be older than the retention period, or not written yet.`,
    });
    return;
  }
  sendJson(res, 200, entry);
}

async function metrics({ res, deps }: AdminRequest): Promise<void> {
  const registry = deps.metrics.registry;
  sendText(res, 200, registry.contentType, await registry.metrics());
}

function upstreams({ res, deps }: AdminRequest): void {
  // An upstream URL may carry a password (http://user:pass@host).
  sendJson(res, 200, { upstreams: deps.upstreamHealth().map((u) => ({ ...u, url: redactUrlPassword(u.url) })) });
}

/** Every fixed path of the admin API; /why/:requestId is matched separately. */
export const ENDPOINTS: ReadonlyMap<string, Endpoint> = new Map<string, Endpoint>([
  ['/health', health],
  ['/ready', ready],
  ['/config', config],
  ['/logs', logs],
  ['/metrics', metrics],
  ['/upstreams', upstreams],
  ['/report', report],
]);

export const WHY_PREFIX = '/why/';
