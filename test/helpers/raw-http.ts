import assert from 'node:assert/strict';
import { connect } from 'node:net';

/** One HTTP/1.1 response as read off a raw socket. */
export interface RawResponse {
  status: number;
  statusLine: string;
  /** Lowercased names; a repeated header keeps its last value. */
  headers: Record<string, string>;
  body: string;
}

export interface RawExchange {
  /** Everything the server sent, latin1. */
  raw: string;
  responses: RawResponse[];
  /** True when the server closed the connection (rather than the wait running out). */
  closedByServer: boolean;
}

/**
 * Opens a TCP connection to the gateway, writes each part in turn (a short pause between
 * parts so they arrive as separate reads) and collects what comes back until the server
 * closes the connection or `waitMs` passes.
 */
export function exchange(port: number, parts: string | Buffer | Array<string | Buffer>, waitMs = 2000): Promise<RawExchange> {
  const list = Array.isArray(parts) ? parts : [parts];
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let closedByServer = false;
    const timer = setTimeout(() => socket.destroy(), waitMs);
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('end', () => {
      closedByServer = true;
      socket.destroy();
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'ECONNRESET' && e.code !== 'EPIPE') reject(e);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      const raw = Buffer.concat(chunks).toString('latin1');
      resolve({ raw, responses: parseResponses(raw), closedByServer });
    });
    socket.on('connect', async () => {
      for (let i = 0; i < list.length; i++) {
        if (socket.destroyed) return;
        socket.write(typeof list[i] === 'string' ? Buffer.from(list[i] as string, 'latin1') : list[i]);
        if (i < list.length - 1) await new Promise((r) => setTimeout(r, 30));
      }
    });
  });
}

/** Splits a byte stream of responses framed by Content-Length (or without a body). */
export function parseResponses(raw: string): RawResponse[] {
  const out: RawResponse[] = [];
  let at = 0;
  for (let guard = 0; guard < 50 && at < raw.length; guard++) {
    const headEnd = raw.indexOf('\r\n\r\n', at);
    if (headEnd === -1) break;
    const [statusLine, ...lines] = raw.slice(at, headEnd).split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const status = Number(statusLine.split(' ')[1]);
    const length = status < 200 || status === 204 || status === 304 ? 0 : Number(headers['content-length'] ?? 0);
    const body = raw.slice(headEnd + 4, headEnd + 4 + length);
    out.push({ status, statusLine, headers, body });
    at = headEnd + 4 + length;
  }
  return out;
}

/**
 * Asserts a problem+json response as anyone may see it: the RFC 9457 members and ours, the
 * same request id in header and body, and nothing operator-only (rule ids, evidence, the
 * parser's internal error codes). Returns the parsed body.
 */
export function assertProblem(res: RawResponse | undefined, status: number, code: string, typeBase = 'https://pinpoint.dev/errors/'): Record<string, unknown> {
  assert.ok(res, `expected a ${status} ${code} response, got none`);
  assert.equal(res.status, status, `status of ${res.body}`);
  assert.equal(res.headers['content-type'], 'application/problem+json');
  const id = res.headers['x-request-id'];
  assert.match(id ?? '', /^req_[0-9a-f]{32}$/);
  const body = JSON.parse(res.body) as Record<string, unknown>;
  assert.equal(body.type, typeBase + code);
  assert.equal(typeof body.title, 'string');
  assert.equal(body.status, status);
  assert.equal(body.code, code);
  assert.equal(body.request_id, id);
  assert.equal(typeof body.retryable, 'boolean');
  for (const k of ['rule', 'evidence', 'trace', 'fixes', 'rule_id']) assert.equal(k in body, false, `${k} must not be disclosed`);
  assert.doesNotMatch(res.body, /HPE_|protocol:[a-z]|route:|ERR_HTTP/, 'no rule ids or parser internals in the body');
  return body;
}
