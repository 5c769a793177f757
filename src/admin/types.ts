import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CallAggregates } from '../calllog/aggregate.ts';
import type { CallLogReader, CallLogStats } from '../calllog/types.ts';
import type { LoadedConfig } from '../config/load.ts';
import type { ExplainTarget } from '../explain/explain.ts';
import type { ServiceProxies } from '../proxy/types.ts';
import type { OwnerRecords } from '../layers/authz/owner-records.ts';
import type { CredentialStore } from '../store/types.ts';
import type { Metrics } from './metrics.ts';

export interface AdminDeps {
  host: string;
  port: number;
  /** The bearer token, read from the environment by the caller; undefined refuses everything. */
  token: string | undefined;
  /** The config in force (changes on reload). */
  loaded(): LoadedConfig;
  reader: CallLogReader;
  callLogStats(): CallLogStats;
  upstreamHealth(): ReturnType<ServiceProxies['health']>;
  metrics: Metrics;
  /** Whether the gateway listener is up and taking traffic. */
  ready(): boolean;
  /** The credential store: enables /keys and /audit (src/admin/keys.ts). */
  keys?: CredentialStore;
  /** The gateway's ownership records: enables /owners (src/admin/owners.ts). */
  owners?: OwnerRecords;
  /** Counting queries over the call log: enables GET /report (src/report). */
  aggregates?: CallAggregates;
  /** What POST /explain decides with: the running pipeline, or a candidate config compiled with the gateway's stores. */
  explain?(candidate?: LoadedConfig): ExplainTarget;
}

export interface AdminServer {
  address: AddressInfo;
  close(): Promise<void>;
}

/** What an endpoint gets for one authenticated request. */
export interface AdminRequest {
  req: IncomingMessage;
  res: ServerResponse;
  /** The path without the query string. */
  path: string;
  query: URLSearchParams;
  requestId: string;
  typeBase: string;
  deps: AdminDeps;
}

export type Endpoint = (r: AdminRequest) => void | Promise<void>;
