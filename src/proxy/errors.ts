/**
 * Operational errors of the upstream side. They are not decisions (no rule refused the
 * request) and have their own table; the gateway still answers with a problem response
 * and logs the code. docs/errors.md documents each.
 */
export const UPSTREAM_ERRORS = {
  'upstream.connect_failed': { status: 502, title: 'The upstream service could not be reached', reachedUpstream: false },
  'upstream.connect_timeout': { status: 504, title: 'The upstream service did not accept the connection in time', reachedUpstream: false },
  'upstream.unavailable': { status: 503, title: 'No healthy upstream server is available', reachedUpstream: false },
  'upstream.headers_timeout': { status: 504, title: 'The upstream service did not answer in time', reachedUpstream: true },
  'upstream.body_timeout': { status: 504, title: 'The upstream service stopped sending its answer', reachedUpstream: true },
  'upstream.reset': { status: 502, title: 'The upstream service closed the connection', reachedUpstream: true },
  'upstream.bad_response': { status: 502, title: 'The upstream service sent an invalid response', reachedUpstream: true },
  /** Logged only: nobody is left to answer. */
  'client.aborted': { status: 499, title: 'The client closed the connection before the answer', reachedUpstream: true },
} as const;

/**
 * Whether the client may simply send the same request again. When the request reached the
 * upstream, a non-idempotent one (POST) may already have taken effect: not retryable.
 */
export function upstreamRetryable(code: UpstreamErrorCode, method: string): boolean {
  return !UPSTREAM_ERRORS[code].reachedUpstream || IDEMPOTENT.has(method);
}

export const IDEMPOTENT: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

export type UpstreamErrorCode = keyof typeof UPSTREAM_ERRORS;
