import type { AiCallState } from '../ai/call-state.ts';
import type { Audience } from '../decision/codes.ts';
import type { Denial } from '../decision/types.ts';
import type { Identity } from '../layers/authn/types.ts';
import type { CompiledRoute, RouteMatch } from '../layers/route/compile.ts';

/**
 * A request as the pipeline sees it: plain data, no sockets. Live traffic, explain,
 * shadow and replay all build one of these, so every rule has exactly one implementation.
 */
export interface RequestDescription {
  method: string;
  /** '1.1', '1.0' */
  httpVersion: string;
  /** The request-target path as received (still percent-encoded), without the query. */
  path: string;
  /** The raw query string without '?', or '' */
  query: string;
  /** Host header value, lowercased, port removed; '' when absent. */
  host: string;
  /** Lowercased header names, as node gives them. */
  headers: Record<string, string | string[] | undefined>;
  /**
   * Header lines as received, name and value alternating (Node's rawHeaders). Node keeps only
   * the first of a repeated Host in `headers`; the protocol layer reads the repeats here.
   */
  rawHeaders?: readonly string[];
  /**
   * The client address as derived by the gateway: the socket peer, or, when the peer is a
   * trusted proxy (ip.trustedProxies), read from the forwarding header (src/layers/ip).
   */
  clientIp: string;
  /** The socket peer, when the description comes from a live connection. */
  peerIp?: string;
  /** How clientIp was derived, for the operator ('peer', or the walk of the forwarding header). */
  clientIpVia?: string;
  /** The scheme the client used ('http', 'https'): a trusted proxy's X-Forwarded-Proto, else the listener's. */
  proto?: string;
  /**
   * The whole body, once read: by the body layer for live traffic (only on routes whose
   * layers inspect it), or given with the request by explain and replay.
   */
  rawBody?: Buffer;
}

/** What reading a live request's body gave. */
export type BodyRead =
  | { ok: true; bytes: Buffer }
  /** too_large: more than the limit arrived (or was declared); aborted: the client left mid-body. */
  | { ok: false; reason: 'too_large' | 'aborted'; received: number };

/** The body as the body layer parsed it for later layers (WAF, authz conditions, ownership). */
export interface ParsedBody {
  /** Media type, lowercased, without parameters ('' when there is no Content-Type). */
  mediaType: string;
  bytes: Buffer;
  /** For application/json and +json bodies that parsed. */
  json?: unknown;
  /** For form bodies (urlencoded, multipart fields): name/value pairs in order. */
  fields?: [string, string][];
  /** For multipart bodies: the file parts (their content stays in bytes, unparsed). */
  files?: { field: string; filename: string; mediaType: string; bytes: number }[];
}

/** Mutable per-request context: earlier layers leave what later layers need. */
export interface EvalContext {
  req: RequestDescription;
  /** Set by the route layer when a path matches. */
  match?: RouteMatch;
  /** Set by the method layer when the matched path allows this method. */
  route?: CompiledRoute;
  params?: Record<string, string | undefined>;
  /** Who the caller is, as far as the pipeline established; decides what a denial discloses. */
  audience: Audience;
  /**
   * explain, shadow replay: decide only. A layer with side effects (limit counters,
   * last-used times) reads its state without changing it.
   */
  dryRun?: boolean;
  /**
   * Reads the live request's body, up to `limit` bytes (answering Expect: 100-continue
   * first). Absent for explain and replay, whose body is in req.rawBody already.
   * Only the body layer calls it.
   */
  readBody?: (limit: number) => Promise<BodyRead>;
  /**
   * explain --as, replay of a logged request: the caller is taken to be this consumer (with
   * this credential label and these scopes) instead of checking the request's credential,
   * which a pasted or logged request may not carry. The consumer is still admitted as any
   * other (a suspended consumer or tenant is refused). Never set for live traffic.
   */
  assume?: Assumed;
  /** Set by the body layer when the route's layers need the body. */
  body?: ParsedBody;
  /**
   * Denials of rules that run report-only (a WAF in detection-only mode, shadow policies):
   * recorded in the decision (Decision.shadow), never enforced. Push with noteShadow().
   */
  shadowed?: ShadowNote[];
  /**
   * Consumer, tenant and credential label: of the identity once a credential checked out, or,
   * on a refused credential, the one tried (and its consumer when it resolved to one): that
   * is for the operator's record, not authentication (identity stays unset).
   */
  consumer?: string;
  tenant?: string;
  credential?: string;
  /** Set by the authn layer once a credential checked out. */
  identity?: Identity;
  /**
   * Headers a layer adds to whatever response the request gets, proxied or a problem (CORS
   * headers, rate limit headers, a cookie). Set with addResponseHeader(). They replace an
   * upstream's headers of the same name, except Vary and Set-Cookie, which are added to them.
   * They are not part of the decision (which is logged): a Set-Cookie may carry a token.
   */
  responseHeaders?: Record<string, string>;
  /**
   * Set by a layer that answers an allowed request itself (a CORS preflight): the gateway
   * responds with this status and the response headers, nothing is forwarded, and the layers
   * after it do not run (they are traced as skipped).
   */
  answer?: { status: number };
  /** Set by the ai layer on an AI route (serve: ai): the parsed call, its model and budget reservation. */
  ai?: AiCallState;
  /**
   * Set by the authz layer when the owner of a recorded resource calls a method of its
   * owner.store.release (DELETE): the record is removed once the upstream answered 2xx.
   */
  ownerRelease?: { resource: string; id: string };
}

/** Adds a header (lowercase name) to the response of this request; see EvalContext.responseHeaders. */
export function addResponseHeader(ctx: EvalContext, name: string, value: string): void {
  (ctx.responseHeaders ??= {})[name] = value;
}

export interface Assumed {
  consumer: string;
  credential: string;
  /** The credential's scopes; ['*'] for "every scope", so that only the roles limit. */
  scopes: readonly string[];
}

export interface ShadowNote {
  layer: string;
  denial: Denial;
}

/** Records what a report-only rule would have done; the request goes on. */
export function noteShadow(ctx: EvalContext, layer: string, denial: Denial): void {
  (ctx.shadowed ??= []).push({ layer, denial });
}

/** undefined = pass; a Denial = refuse; SKIP = could not run (missing context from an earlier layer). */
export const SKIP = Symbol('skip');
export type LayerResult = Denial | undefined | typeof SKIP;

export interface Layer {
  name: string;
  /**
   * A layer that calls out (introspection, ownership lookups) is not run once the request
   * is already denied; the others still run so the trace can say what else would deny.
   */
  callsOut?: boolean;
  /** Whether this layer inspects the body on a route: then the body layer reads it first. */
  needsBody?(route: CompiledRoute): boolean;
  evaluate(ctx: EvalContext): LayerResult | Promise<LayerResult>;
}
