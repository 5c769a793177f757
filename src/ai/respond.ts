import type { ServerResponse } from 'node:http';
import { problem } from '../decision/problem.ts';
import type { AiError, Dialect } from './dialects/types.ts';

/**
 * Writes an AI route's error: in the client's dialect envelope, so its SDK raises its typed
 * error, or as problem+json on a template route (plain REST). Headers the denial demands
 * (Retry-After, WWW-Authenticate) go out either way.
 */
export function writeAiError(res: ServerResponse, dialect: Dialect | undefined, e: AiError, typeBase: string, headers: Record<string, string> = {}, close = false): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  let body: string;
  let own: Record<string, string> = {};
  if (dialect) {
    const env = dialect.error(e);
    body = JSON.stringify(env.body);
    own = { 'content-type': 'application/json', ...env.headers };
  } else {
    const p = problem({ status: e.status, code: e.code, title: e.message, requestId: e.requestId, retryable: e.details?.retryable === true, typeBase, detail: e.message, extensions: { ...e.details, ...(e.param !== undefined ? { pointer: e.param } : {}) } });
    body = p.body;
    own = p.headers;
  }
  for (const [k, v] of Object.entries({ ...headers, ...own })) res.setHeader(k, v);
  res.setHeader('cache-control', 'no-store');
  res.setHeader('content-length', Buffer.byteLength(body));
  if (close) res.setHeader('connection', 'close');
  res.statusCode = e.status;
  res.end(body);
}

/** Writes a JSON answer of an AI route. */
export function writeAiJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { ...headers, 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
