// The AI world (gateway-world.ts) with what operators look through: a live admin API over the
// gateway's call log (GET /why, /report, /metrics, POST /explain against the running pipeline
// and its live budget counters) and Prometheus metrics fed every record the gateway writes.
import { CallAggregates } from '../../src/calllog/aggregate.ts';
import { openCallLogReader } from '../../src/calllog/index.ts';
import { createMetrics, type Metrics } from '../../src/admin/metrics.ts';
import { startAdmin } from '../../src/admin/server.ts';
import { adminSources } from '../../src/server/start.ts';
import type { AdminServer } from '../../src/admin/types.ts';
import { startAiWorld, type AiWorld } from './gateway-world.ts';

export const ADMIN_TOKEN = 'ai-observe-admin-token-0123456789abcdef';

export interface ObservedAiWorld extends AiWorld {
  admin: AdminServer;
  adminUrl: string;
  metrics: Metrics;
  /** An admin API call with the token. */
  adminFetch(path: string, init?: RequestInit): Promise<Response>;
}

export async function startObservedAiWorld(extraRoutes = ''): Promise<ObservedAiWorld> {
  const w = await startAiWorld(extraRoutes);
  const metrics = createMetrics();
  // The gateway hands each finished call's record to the call log and to metrics alike
  // (src/server/handler.ts); the test gateway has no metrics, so they are fed where the log is.
  const callLog = w.gw.callLog;
  const record = callLog.record.bind(callLog);
  callLog.record = (r) => {
    record(r);
    metrics.observe(r);
  };
  const reader = openCallLogReader(w.gw.logFile);
  const aggregates = new CallAggregates(w.gw.logFile);
  // Wired as the composition root wires it (src/server/start.ts).
  const admin = await startAdmin({ host: '127.0.0.1', port: 0, token: ADMIN_TOKEN, ...adminSources({ gateway: w.gw.gateway, callLog, metrics, reader, aggregates, store: w.store }) });
  const adminUrl = `http://127.0.0.1:${admin.address.port}`;
  return {
    ...w,
    admin,
    adminUrl,
    metrics,
    adminFetch(path, init = {}) {
      const headers = new Headers(init.headers);
      headers.set('authorization', `Bearer ${ADMIN_TOKEN}`);
      return fetch(adminUrl + path, { ...init, headers });
    },
    async close() {
      await admin.close();
      reader.close();
      aggregates.close();
      await w.close();
    },
  };
}
