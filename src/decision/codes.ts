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
}

export type DecisionCode = keyof typeof DECISION_CODES;

export function codeSpec(code: DecisionCode): CodeSpec {
  return DECISION_CODES[code];
}
