import type { UpstreamErrorCode } from './errors.ts';

/** Errors of the TCP connect itself: nothing of the request was sent. */
const CONNECT_FAILED: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'EADDRNOTAVAIL']);

/** Maps an undici / socket error to the operational code the gateway answers with. */
export function classifyUpstreamError(err: unknown): UpstreamErrorCode {
  const code = (err as { code?: unknown } | null)?.code;
  // undici's parser errors do not always carry an HPE_ code.
  if ((err as Error | null)?.name === 'HTTPParserError') return 'upstream.bad_response';
  if (typeof code !== 'string') return 'upstream.reset';
  if (CONNECT_FAILED.has(code)) return 'upstream.connect_failed';
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return 'upstream.connect_timeout';
    case 'UND_ERR_HEADERS_TIMEOUT':
      return 'upstream.headers_timeout';
    case 'UND_ERR_BODY_TIMEOUT':
      return 'upstream.body_timeout';
    case 'UND_ERR_SOCKET':
      // undici says 'bad response' / 'bad upgrade' when the upstream broke the protocol.
      return (err as Error).message.startsWith('bad ') ? 'upstream.bad_response' : 'upstream.reset';
    case 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH':
    case 'UND_ERR_RES_EXCEEDED_MAX_SIZE':
    case 'UND_ERR_HEADERS_OVERFLOW':
      return 'upstream.bad_response';
    case 'UND_ERR_CLOSED':
    case 'UND_ERR_DESTROYED':
      // The pools of a replaced config are closed: nothing was sent.
      return 'upstream.unavailable';
    case 'UND_ERR_INVALID_ARG':
    case 'UND_ERR_NOT_SUPPORTED':
      // undici refused to build the request: it never left the gateway.
      return 'upstream.connect_failed';
    default:
      return code.startsWith('HPE_') ? 'upstream.bad_response' : 'upstream.reset';
  }
}

/** Whether the error says something about the upstream's health (counts toward ejection). */
export function countsAgainstUpstream(code: UpstreamErrorCode): boolean {
  return code !== 'client.aborted' && code !== 'upstream.unavailable';
}

/** Failures that happen before any byte of the request left: an idempotent request may go elsewhere. */
export function failedBeforeSending(code: UpstreamErrorCode): boolean {
  return code === 'upstream.connect_failed' || code === 'upstream.connect_timeout';
}
