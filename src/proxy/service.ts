import { Pool } from 'undici';
import type { ServiceConfig } from '../config/schema.ts';
import { Balancer } from './balancer.ts';

/** One upstream server: its connection pool, built once per config. */
export interface UpstreamTarget {
  /** Base URL as configured, without a trailing slash (reported in outcomes and health). */
  url: string;
  pool: Pool;
}

/** A service of the config, ready for the hot path. */
export interface ServiceProxy {
  name: string;
  balancer: Balancer<UpstreamTarget>;
  /** Retries on another upstream for GET/HEAD/OPTIONS whose connection failed before sending. */
  retries: number;
}

export function createServiceProxy(name: string, cfg: ServiceConfig): ServiceProxy {
  const targets = cfg.upstreams.map((u) => {
    const url = u.url.replace(/\/$/, '');
    const pool = new Pool(url, {
      connections: cfg.connections,
      connectTimeout: cfg.timeouts.connectMs,
      headersTimeout: cfg.timeouts.headersMs,
      bodyTimeout: cfg.timeouts.bodyMs,
      // One request per connection at a time: pipelining would tie a slow answer to the next.
      pipelining: 1,
    });
    return { weight: u.weight, target: { url, pool } };
  });
  return { name, balancer: new Balancer(targets, cfg.health), retries: cfg.idempotentRetries };
}
