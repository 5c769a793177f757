import type { DecisionCode } from '../../decision/codes.ts';
import type { Denial } from '../../decision/types.ts';
import { printable, protocolDenial } from './deny.ts';

/**
 * What Node's HTTP parser (llhttp) refuses before any request exists, mapped to stable
 * decision codes. The parser's error codes are an implementation detail and change between
 * Node releases; callers see only the protocol.* codes. The parser's `reason` is a fixed
 * message of the parser (never request bytes), so it is safe to show to anyone.
 */
export interface ParserFailure {
  /** err.code: HPE_* from llhttp, or ERR_HTTP_REQUEST_TIMEOUT. */
  code: string;
  /** err.reason: llhttp's message, e.g. "Invalid character in chunk size". */
  reason?: string;
  /** True when the head was parsed and the error is in the body. */
  inBody: boolean;
  /** Offset of the error in the data being parsed, when known. */
  bytesParsed?: number;
}

/** Parser error codes that do not depend on where in the request they happened. */
const BY_CODE: Record<string, DecisionCode> = {
  HPE_HEADER_OVERFLOW: 'protocol.headers_too_large',
  ERR_HTTP_REQUEST_TIMEOUT: 'protocol.request_timeout',
  HPE_INVALID_EOF_STATE: 'protocol.incomplete_request',
  HPE_UNEXPECTED_CONTENT_LENGTH: 'protocol.ambiguous_length',
  HPE_INVALID_CONTENT_LENGTH: 'protocol.ambiguous_length',
  HPE_INVALID_TRANSFER_ENCODING: 'protocol.ambiguous_length',
  HPE_INVALID_CHUNK_SIZE: 'protocol.bad_chunking',
  HPE_CHUNK_EXTENSIONS_OVERFLOW: 'protocol.bad_chunking',
  HPE_INVALID_METHOD: 'protocol.request_line_invalid',
  HPE_INVALID_URL: 'protocol.request_line_invalid',
  HPE_INVALID_CONSTANT: 'protocol.request_line_invalid',
  HPE_INVALID_VERSION: 'protocol.version_unsupported',
  HPE_INVALID_HEADER_TOKEN: 'protocol.header_invalid',
  HPE_UNEXPECTED_SPACE: 'protocol.header_invalid',
  HPE_CR_EXPECTED: 'protocol.header_invalid',
  HPE_LF_EXPECTED: 'protocol.header_invalid',
  HPE_STRICT: 'protocol.header_invalid',
};

/** Errors whose meaning is fixed whatever part of the request they were found in. */
const ANYWHERE = new Set(['HPE_HEADER_OVERFLOW', 'ERR_HTTP_REQUEST_TIMEOUT', 'HPE_INVALID_EOF_STATE', 'HPE_UNEXPECTED_CONTENT_LENGTH', 'HPE_INVALID_CONTENT_LENGTH', 'HPE_INVALID_TRANSFER_ENCODING']);

const HINTS: Partial<Record<DecisionCode, string>> = {
  'protocol.request_line_invalid': "Send a request line 'METHOD /path HTTP/1.1' ending in CRLF: an uppercase method, a target without spaces, control or non-ASCII bytes (percent-encode them).",
  'protocol.version_unsupported': 'Send the request as HTTP/1.1.',
  'protocol.header_invalid': "Send each header as 'Name: value' ending in CRLF: a name without spaces or separators, a value without control bytes, no line folding.",
  'protocol.headers_too_large': 'Send fewer or smaller headers; oversized cookies or tokens are the usual cause.',
  'protocol.ambiguous_length': 'Frame the body one way only: a single Content-Length with a decimal value, or "Transfer-Encoding: chunked" without Content-Length.',
  'protocol.bad_chunking': 'Send each chunk as its size in hexadecimal, CRLF, the data, CRLF, and end the body with a zero-size chunk followed by CRLF.',
  'protocol.incomplete_request': 'The connection was closed before the whole request arrived; send the complete request again.',
  'protocol.request_timeout': 'Send the whole request, head and body, without long pauses; the gateway waits only a limited time.',
  'protocol.malformed': 'The request could not be read as HTTP/1.1; check the client and any proxy between it and the gateway.',
};

const OPERATOR_ACTIONS: Partial<Record<DecisionCode, string>> = {
  'protocol.headers_too_large': 'Raise gateway.maxHeaderBytes if such large headers are legitimate.',
  'protocol.request_timeout': 'Raise gateway.requestTimeoutMs if clients are legitimately this slow.',
};

export function parserDecisionCode(f: ParserFailure): DecisionCode {
  const fixed = BY_CODE[f.code];
  if (fixed && ANYWHERE.has(f.code)) return fixed;
  // Past the head, a framing error can only be in the chunked body.
  if (f.inBody && f.code.startsWith('HPE_')) return 'protocol.bad_chunking';
  // "Expected CRLF after version" is a line ending, not a version, problem.
  if (f.code === 'HPE_INVALID_VERSION' && f.reason && /CRLF|LF/.test(f.reason)) return 'protocol.request_line_invalid';
  return fixed ?? 'protocol.malformed';
}

/** The denial for a request the parser refused. */
export function parserDenial(f: ParserFailure): Denial {
  const code = parserDecisionCode(f);
  const reason = f.reason ? printable(f.reason, 120) : undefined;
  const base = HINTS[code] ?? HINTS['protocol.malformed']!;
  const hint = reason && f.code.startsWith('HPE_') ? `${base} The parser reported: ${reason}.` : base;
  const where = f.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'connection' : f.inBody ? 'body' : 'head';
  const at = f.bytesParsed === undefined ? '' : ` at byte ${f.bytesParsed} of the data received`;
  return protocolDenial({
    code,
    ruleId: `protocol:parser:${printable(f.code, 40)}`,
    detail: `the HTTP parser refused the request${at}: ${printable(f.code, 40)}${reason ? ` (${reason})` : ''}`,
    hint,
    evidence: [{ where, expected: 'a well-formed HTTP/1.1 request', observed: `${printable(f.code, 40)}${reason ? `: ${reason}` : ''}` }],
    operatorAction: OPERATOR_ACTIONS[code],
  });
}
