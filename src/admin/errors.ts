/**
 * Operational errors of the admin API. They are not decisions (no gateway rule refused
 * anything) and have their own table, like src/proxy/errors.ts; docs/errors.md documents each.
 */
export const ADMIN_ERRORS = {
  'admin.unauthorized': { status: 401, title: 'A valid admin bearer token is required', retryable: false },
  'admin.token_not_configured': { status: 503, title: 'The admin API has no token configured', retryable: false },
  'admin.no_such_endpoint': { status: 404, title: 'The admin API has no such endpoint', retryable: false },
  'admin.method_not_allowed': { status: 405, title: 'The admin endpoint does not allow this method', retryable: false },
  'admin.bad_query': { status: 400, title: 'A query parameter is invalid', retryable: false },
  'admin.not_found': { status: 404, title: 'No call log entry has this request id', retryable: false },
  'admin.bad_request': { status: 400, title: 'The request body is invalid', retryable: false },
  'admin.key_not_found': { status: 404, title: 'No API key has this id', retryable: false },
  'admin.password_not_found': { status: 404, title: 'The consumer has no password', retryable: false },
  'admin.owner_not_found': { status: 404, title: 'No ownership record for this resource', retryable: false },
  'admin.key_conflict': { status: 409, title: 'The API key is not in a state that allows this change', retryable: false },
  'admin.store_unavailable': { status: 503, title: 'The credential store cannot be reached', retryable: true },
  'admin.not_ready': { status: 503, title: 'The gateway is not ready', retryable: true },
  'admin.internal': { status: 500, title: 'The admin API failed to answer', retryable: true },
} as const;

export type AdminErrorCode = keyof typeof ADMIN_ERRORS;
