import type { ServerResponse } from 'node:http';
import { problem } from '../decision/problem.ts';
import { writeProblem } from '../server/respond.ts';
import { ADMIN_ERRORS, type AdminErrorCode } from './errors.ts';

/** Writes a JSON answer (no body for HEAD). */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  sendText(res, status, 'application/json; charset=utf-8', JSON.stringify(body));
}

export function sendText(res: ServerResponse, status: number, contentType: string, text: string): void {
  res.statusCode = status;
  res.setHeader('content-type', contentType);
  res.setHeader('cache-control', 'no-store');
  res.setHeader('content-length', Buffer.byteLength(text));
  res.end(res.req.method === 'HEAD' ? undefined : text);
}

export interface AdminProblem {
  detail?: string;
  headers?: Record<string, string>;
  extensions?: Record<string, unknown>;
  /** Close the connection instead of reading an unwanted request body. */
  close?: boolean;
}

/** An admin error as problem+json, built by the one problem builder. */
export function sendProblem(res: ServerResponse, code: AdminErrorCode, requestId: string, typeBase: string, p: AdminProblem = {}): void {
  const spec = ADMIN_ERRORS[code];
  writeProblem(
    res,
    problem({
      status: spec.status,
      code,
      title: spec.title,
      requestId,
      retryable: spec.retryable,
      typeBase,
      layer: 'admin',
      detail: p.detail,
      headers: p.headers,
      extensions: p.extensions,
    }),
    p.close,
  );
}
