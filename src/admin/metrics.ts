import { METHODS } from 'node:http';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CallLogStats, CallRecord } from '../calllog/types.ts';
import { createAiMetrics } from './ai-metrics.ts';
import { cellCounter, Children, SEP } from './metric-children.ts';
import { redactUrlPassword } from './redact-config.ts';

/** Read when Prometheus scrapes, never on the request path. */
export interface MetricSources {
  callLogStats?(): CallLogStats;
  /** Revision of the config in force. */
  revision?(): string;
  upstreamHealth?(): ReadonlyArray<{ service: string; url: string; healthy: boolean }>;
}

export interface Metrics {
  /** This gateway's own registry (never prom-client's global one). */
  readonly registry: Registry;
  /** Counts one finished request. Sits on the request path: cheap and never throws for a well-formed record. */
  observe(record: CallRecord): void;
  /** Wires the scrape-time gauges; the admin listener does it at start. */
  setSources(sources: MetricSources): void;
}

/** 0.5 ms to 10 s: a gateway's own overhead sits at the bottom, slow upstreams at the top. */
export const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export { MAX_SERIES_PER_METRIC, OVERFLOW } from './metric-children.ts';

const KNOWN_METHODS: ReadonlySet<string> = new Set(METHODS);
const STATUS_CLASSES = ['none', '1xx', '2xx', '3xx', '4xx', '5xx'];

/** "2xx" for 200..299; "none" when no status was sent; "other" for anything outside 100..599. */
export function statusClass(status: number): string {
  if (status === 0) return 'none';
  const c = Math.floor(status / 100);
  return c >= 1 && c <= 5 ? STATUS_CLASSES[c]! : 'other';
}


export function createMetrics(initial: MetricSources = {}): Metrics {
  const registry = new Registry();
  let sources = initial;
  const registers = [registry];

  const requestsCells = cellCounter('pinpoint_requests_total', 'Requests answered by the gateway, allowed, denied or failed.', ['route', 'method', 'status_class', 'outcome'], registers);
  const denialsCells = cellCounter('pinpoint_denials_total', 'Requests refused by a decision, by the layer and code that refused them.', ['layer', 'code'], registers);
  const upstreamErrorsCells = cellCounter('pinpoint_upstream_errors_total', 'Requests that failed on the upstream side, by operational code.', ['code'], registers);
  const duration = new Histogram({
    name: 'pinpoint_request_duration_seconds',
    help: 'Time from receiving a request to finishing its answer.',
    labelNames: ['route', 'outcome'] as const,
    buckets: DURATION_BUCKETS,
    registers,
  });
  const upstreamDuration = new Histogram({
    name: 'pinpoint_upstream_duration_seconds',
    help: 'Time from sending a request upstream to receiving its response headers.',
    labelNames: ['route'] as const,
    buckets: DURATION_BUCKETS,
    registers,
  });

  // Counters of the call log: monotonic values owned by the call log, copied at scrape time.
  new Counter({
    name: 'pinpoint_calllog_dropped_total',
    help: 'Call log entries dropped because the write queue was full.',
    registers,
    collect() {
      this.reset();
      const s = sources.callLogStats?.();
      if (s) this.inc(s.dropped);
    },
  });
  new Counter({
    name: 'pinpoint_calllog_written_total',
    help: 'Call log entries written to the store.',
    registers,
    collect() {
      this.reset();
      const s = sources.callLogStats?.();
      if (s) this.inc(s.written);
    },
  });
  new Gauge({
    name: 'pinpoint_calllog_queued',
    help: 'Call log entries waiting to be written.',
    registers,
    collect() {
      const s = sources.callLogStats?.();
      this.set(s ? s.queued : 0);
    },
  });
  new Gauge({
    name: 'pinpoint_config_revision_info',
    help: 'Always 1; the revision label is the hash of the config in force.',
    labelNames: ['revision'] as const,
    registers,
    collect() {
      this.reset();
      const r = sources.revision?.();
      if (r) this.set({ revision: r }, 1);
    },
  });
  new Gauge({
    name: 'pinpoint_upstream_healthy',
    help: '1 while an upstream server takes traffic, 0 while it is ejected after consecutive failures.',
    labelNames: ['service', 'url'] as const,
    registers,
    collect() {
      this.reset();
      for (const u of sources.upstreamHealth?.() ?? []) this.set({ service: u.service, url: redactUrlPassword(u.url) }, u.healthy ? 1 : 0);
    },
  });

  const observeAi = createAiMetrics(registers);
  const durationChildren = new Children((...v) => duration.labels(...v), 2);
  const upstreamDurationChildren = new Children((...v) => upstreamDuration.labels(...v), 1);

  return {
    registry,
    setSources(next) {
      sources = next;
    },
    observe(r) {
      // Route ids come from the config; a request that matched none is counted under "".
      const route = r.route ?? '';
      const method = KNOWN_METHODS.has(r.method) ? r.method : 'OTHER';
      const sc = statusClass(r.status);
      const outcome = r.outcome;

      const rk = route + SEP + method + SEP + sc + SEP + outcome;
      (requestsCells.get(rk) ?? requestsCells.add(rk, route, method, sc, outcome)).pending++;

      // prom-client throws on a non-finite value; a bad timing must not break the request.
      if (Number.isFinite(r.totalMs)) {
        const dk = route + SEP + outcome;
        (durationChildren.get(dk) ?? durationChildren.add(dk, route, outcome)).observe(r.totalMs / 1000);
      }

      if (outcome === 'deny') {
        const layer = r.layer ?? '';
        const code = r.code ?? '';
        const k = layer + SEP + code;
        (denialsCells.get(k) ?? denialsCells.add(k, layer, code)).pending++;
      } else if (outcome === 'error' && r.code !== undefined && r.code.startsWith('upstream.')) {
        (upstreamErrorsCells.get(r.code) ?? upstreamErrorsCells.add(r.code, r.code)).pending++;
      }

      if (r.upstreamMs !== undefined && Number.isFinite(r.upstreamMs)) {
        (upstreamDurationChildren.get(route) ?? upstreamDurationChildren.add(route, route)).observe(r.upstreamMs / 1000);
      }
      if (r.ai) observeAi(r.ai, outcome);
    },
  };
}
