import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CompiledRoute } from '../layers/route/compile.ts';
import type { UpstreamErrorCode } from './errors.ts';
import type { GatewayHeaders } from './headers.ts';

export interface ForwardInfo {
  requestId: string;
  clientIp: string;
  /** The path as received (percent-encoded), before stripPrefix. */
  path: string;
  /** Raw query string without '?', or ''. */
  query: string;
  /** Host header as received, for X-Forwarded-Host / Forwarded host=. */
  host: string;
  /** 'http' or 'https' as the client reached the gateway. */
  proto: string;
  /** The whole body when the pipeline read it; sent as is instead of streaming the request. */
  body?: Buffer;
  /**
   * Keep a copy of a 2xx answer's body, up to this many bytes, while it is relayed (to read
   * the id of a created resource: src/server/owner-record.ts). Absent: nothing is kept.
   */
  captureBody?: number;
  /** Headers the gateway set on the response (setGatewayHeaders): the upstream's lines of these names are dropped. */
  gatewayHeaders?: GatewayHeaders;
}

export interface ProxyOutcome {
  /** Base URL of the upstream that answered (or failed). */
  upstream?: string;
  upstreamStatus?: number;
  /** Time from sending to the upstream's response headers. */
  upstreamMs?: number;
  /**
   * Set when the upstream failed. If `res.headersSent` is false the gateway answers with a
   * problem response for this code; otherwise the proxy has already destroyed the response.
   */
  error?: UpstreamErrorCode;
  /** Operator detail of the error (never sent to the client). */
  errorDetail?: string;
  /** How many upstream attempts were made (1 for every non-idempotent method). */
  attempts?: number;
  /** With ForwardInfo.captureBody: the whole body of a 2xx answer, once relayed in full. */
  body?: Buffer;
  /** With ForwardInfo.captureBody: why the body was not kept whole (larger than the limit). */
  bodyNotKept?: string;
}

export interface ServiceProxies {
  /** Streams req to an upstream of route.service and the answer back to res. Never rejects. */
  forward(req: IncomingMessage, res: ServerResponse, route: CompiledRoute, info: ForwardInfo): Promise<ProxyOutcome>;
  /** Health of every upstream, for the admin API. */
  health(): Array<{ service: string; url: string; healthy: boolean; consecutiveFailures: number; ejectedUntil?: number }>;
  /** Lets in-flight requests finish, then closes the pools. */
  close(): Promise<void>;
}
