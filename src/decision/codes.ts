/**
 * The one table of decision codes. A code's prefix is the layer that owns it
 * (`route.not_found` lives in src/layers/route). docs/errors.md documents every
 * code here and a test holds the two in step both ways. A retired code is never reused.
 *
 * `disclose` is the lowest audience that may see the layer and the hint of a denial
 * with this code (see src/decision/disclosure.ts).
 */
export const DECISION_CODES = {
  // protocol: what the HTTP parser or the protocol layer refuses before any rule runs.
  // All reveal nothing about the config, so the hint goes to anyone.
  'protocol.request_line_invalid': {
    layer: 'protocol',
    status: 400,
    title: 'The request line is malformed',
    retryable: false,
    denyKind: 'explicit',
    disclose: 'anyone',
  },
  'protocol.version_unsupported': {
    layer: 'protocol',
    status: 505,
    title: 'The HTTP version is not supported',
    retryable: false,
    denyKind: 'explicit',
    disclose: 'anyone',
  },
  'protocol.header_invalid': {
    layer: 'protocol',
    status: 400,
    title: 'A request header is malformed',
    retryable: false,
    denyKind: 'explicit',
    disclose: 'anyone',
  },
  'protocol.headers_too_large': {
    layer: 'protocol',
    status: 431,
    title: 'The request headers are too large',
    retryable: false,
    denyKind: 'threshold',
    disclose: 'anyone',
  },
  'protocol.ambiguous_length': {
    layer: 'protocol',
    status: 400,
    title: 'The length of the request body is ambiguous',
    retryable: false,
    denyKind: 'explicit',
    disclose: 'anyone',
  },
  'protocol.bad_chunking': {
    layer: 'protocol',
    status: 400,
    title: 'The chunked request body is malformed',
    retryable: false,
    denyKind: 'explicit',
    disclose: 'anyone',
  },
  'protocol.transfer_coding_unsupported': {
    layer: 'protocol',
    status: 501,
    title: 'The transfer coding of the request is not supported',
    retryable: false,
    denyKind: 'explicit',
    disclose: 'anyone',
  },
  'protocol.incomplete_request': {
    layer: 'protocol',
    status: 400,
    title: 'The connection ended before the request was complete',
    retryable: true,
    denyKind: 'explicit',
    disclose: 'anyone',
  },
  'protocol.request_timeout': {
    layer: 'protocol',
    status: 408,
    title: 'The request was not received in time',
    retryable: true,
    denyKind: 'threshold',
    disclose: 'anyone',
  },
  'protocol.malformed': {
    layer: 'protocol',
    status: 400,
    title: 'The request is not valid HTTP/1.1',
    retryable: false,
    denyKind: 'explicit',
    disclose: 'anyone',
  },
  'protocol.expectation_failed': {
    layer: 'protocol',
    status: 417,
    title: 'The expectation in the Expect header cannot be met',
    retryable: false,
    denyKind: 'explicit',
    disclose: 'anyone',
  },
  'protocol.connect_unsupported': {
    layer: 'protocol',
    status: 501,
    title: 'The gateway does not open tunnels',
    retryable: false,
    denyKind: 'explicit',
    disclose: 'anyone',
  },
  'protocol.host_missing': {
    layer: 'protocol',
    status: 400,
    title: 'The request has no Host header',
    retryable: false,
    denyKind: 'missing_context',
    disclose: 'anyone',
  },
  'protocol.host_invalid': {
    layer: 'protocol',
    status: 400,
    title: 'The Host header is invalid',
    retryable: false,
    denyKind: 'explicit',
    disclose: 'anyone',
  },
  'protocol.url_invalid': {
    layer: 'protocol',
    status: 400,
    title: 'The request target is invalid',
    retryable: false,
    denyKind: 'explicit',
    disclose: 'anyone',
  },
  'protocol.url_too_long': {
    layer: 'protocol',
    status: 414,
    title: 'The request target is too long',
    retryable: false,
    denyKind: 'threshold',
    disclose: 'anyone',
  },
  'route.not_found': {
    layer: 'route',
    status: 404,
    title: 'No route matches this request',
    retryable: false,
    denyKind: 'no_allow',
    disclose: 'anyone',
  },
  'method.not_allowed': {
    layer: 'method',
    status: 405,
    title: 'The route does not allow this method',
    retryable: false,
    denyKind: 'no_allow',
    disclose: 'anyone',
  },

  // authn: who is calling. 401 (with a WWW-Authenticate challenge) while the caller is not
  // authenticated; 403 once it is known but may not proceed. The caller presented the
  // credential, so telling it that its own key expired or has a typo helps it and nobody else;
  // "unknown" and "revoked" are told apart to operators only (publicAs).
  'authn.credential_missing': { layer: 'authn', status: 401, title: 'Authentication is required', retryable: false, denyKind: 'missing_context', disclose: 'anyone' },
  'authn.credential_malformed': { layer: 'authn', status: 401, title: 'The credential is malformed', retryable: false, denyKind: 'explicit', disclose: 'anyone' },
  'authn.key_checksum_invalid': { layer: 'authn', status: 401, title: 'The API key is mistyped', retryable: false, denyKind: 'explicit', disclose: 'anyone' },
  'authn.key_invalid': { layer: 'authn', status: 401, title: 'The API key is not valid', retryable: false, denyKind: 'explicit', disclose: 'anyone' },
  'authn.key_unknown': { layer: 'authn', status: 401, title: 'The API key is unknown', retryable: false, denyKind: 'explicit', disclose: 'anyone', publicAs: 'authn.key_invalid' },
  'authn.key_revoked': { layer: 'authn', status: 401, title: 'The API key was revoked', retryable: false, denyKind: 'explicit', disclose: 'anyone', publicAs: 'authn.key_invalid' },
  'authn.key_expired': { layer: 'authn', status: 401, title: 'The API key has expired', retryable: false, denyKind: 'explicit', disclose: 'anyone' },
  'authn.key_in_query_not_allowed': { layer: 'authn', status: 401, title: 'API keys are not accepted in the URL here', retryable: false, denyKind: 'explicit', disclose: 'anyone' },
  'authn.password_invalid': { layer: 'authn', status: 401, title: 'The user name or password is not valid', retryable: false, denyKind: 'explicit', disclose: 'anyone' },
  'authn.session_invalid': { layer: 'authn', status: 401, title: 'The session cookie is not valid', retryable: false, denyKind: 'explicit', disclose: 'anyone' },
  'authn.session_expired': { layer: 'authn', status: 401, title: 'The session has expired', retryable: false, denyKind: 'explicit', disclose: 'anyone' },
  'authn.token_malformed': { layer: 'authn', status: 401, title: 'The token is malformed', retryable: false, denyKind: 'explicit', disclose: 'anyone' },
  'authn.token_signature_invalid': { layer: 'authn', status: 401, title: 'The token signature is not valid', retryable: false, denyKind: 'explicit', disclose: 'anyone' },
  'authn.token_algorithm_not_allowed': { layer: 'authn', status: 401, title: 'The token is signed with an algorithm that is not accepted', retryable: false, denyKind: 'explicit', disclose: 'anyone' },
  'authn.token_expired': { layer: 'authn', status: 401, title: 'The token has expired', retryable: false, denyKind: 'explicit', disclose: 'anyone' },
  'authn.token_not_yet_valid': { layer: 'authn', status: 401, title: 'The token is not valid yet', retryable: true, denyKind: 'explicit', disclose: 'anyone' },
  'authn.token_issuer_invalid': { layer: 'authn', status: 401, title: 'The token comes from an issuer that is not accepted', retryable: false, denyKind: 'explicit', disclose: 'anyone' },
  'authn.token_audience_invalid': { layer: 'authn', status: 401, title: 'The token is not meant for this API', retryable: false, denyKind: 'explicit', disclose: 'anyone' },
  'authn.token_inactive': { layer: 'authn', status: 401, title: 'The token is not active', retryable: false, denyKind: 'explicit', disclose: 'anyone' },
  'authn.issuer_unavailable': { layer: 'authn', status: 503, title: 'The token could not be checked', retryable: true, denyKind: 'dependency_failed', disclose: 'anyone' },
  'authn.consumer_suspended': { layer: 'authn', status: 403, title: 'The consumer is suspended', retryable: false, denyKind: 'explicit', disclose: 'caller' },
  'authn.tenant_suspended': { layer: 'authn', status: 403, title: 'The tenant is suspended', retryable: false, denyKind: 'explicit', disclose: 'caller' },
} as const satisfies Record<string, CodeSpec>;

export type DenyKind = 'explicit' | 'no_allow' | 'threshold' | 'missing_context' | 'dependency_failed';
export type Audience = 'anyone' | 'caller' | 'operator';

export interface CodeSpec {
  layer: string;
  status: number;
  title: string;
  retryable: boolean;
  denyKind: DenyKind;
  disclose: Audience;
  /**
   * The code responses show instead of this one: operators see the precise code in the
   * call log, callers a coarser one that tells an attacker less (e.g. unknown vs revoked key).
   */
  publicAs?: string;
}

export type DecisionCode = keyof typeof DECISION_CODES;

export function codeSpec(code: DecisionCode): CodeSpec {
  return DECISION_CODES[code];
}
