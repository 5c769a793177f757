import { STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { CallLog, CallRecord } from '../calllog/types.ts';
import { codeSpec } from '../decision/codes.ts';
import { decisionProblem, type ProblemResponse } from '../decision/problem.ts';
import type { Decision, Denial } from '../decision/types.ts';
import { protocolDenial } from '../layers/protocol/deny.ts';
import { parserDenial } from '../layers/protocol/parser-errors.ts';
import { describe } from './describe.ts';
import { correlationIdFrom, newRequestId } from './request-id.ts';
import { writeProblem } from './respond.ts';

export interface ProtocolErrorDeps {
  typeBase(): string;
  callLog: CallLog;
  revision(): string;
  observe?(r: CallRecord): void;
}

/**
 * Requests that never become a request: what Node's parser refuses ('clientError'), an
 * Expect other than 100-continue ('checkExpectation') and CONNECT ('connect'). Each gets a
 * problem response with a fresh request id, a call log entry, and a closed connection;
 * nothing of it is ever forwarded.
 */
export function attachProtocolErrors(server: Server, deps: ProtocolErrorDeps): void {
  server.on('clientError', (err: ParserError, socket: Duplex) => guarded(socket, () => onClientError(err, socket, deps)));
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => guarded(req.socket, () => onUnmetExpectation(req, res, deps)));
  server.on('connect', (req: IncomingMessage, socket: Duplex) => guarded(socket, () => onConnect(req, socket, deps)));
}

/** A failure here must cost one connection, never the process. */
function guarded(socket: Duplex, fn: () => void): void {
  try {
    fn();
  } catch {
    socket.destroy();
  }
}

interface ParserError extends Error {
  code?: string;
  reason?: string;
  rawPacket?: Buffer;
  bytesParsed?: number;
}

/** After the answer, unread client bytes are drained this long before the socket is destroyed. */
const LINGER_MS = 2000;
/** Longest wait for earlier pipelined responses on the connection before the error answer. */
const PIPELINE_WAIT_LIMIT = 64;

/** Sockets already answered: the parser reports again for every chunk after its first error. */
const answered = new WeakSet<Duplex>();

function onClientError(err: ParserError, socket: Duplex, deps: ProtocolErrorDeps): void {
  const code = err.code ?? '';
  if (answered.has(socket)) return;
  if (!code.startsWith('HPE_') && code !== 'ERR_HTTP_REQUEST_TIMEOUT') {
    // A socket error (ECONNRESET, EPIPE...): nobody is left to answer.
    socket.destroy();
    return;
  }
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT' && (socket as Socket).bytesRead === 0) {
    // A connection that never sent a byte (a preconnect, a port probe) asked nothing: close it quietly.
    socket.destroy();
    return;
  }
  answered.add(socket);
  socket.on('error', () => socket.destroy());
  const arrival = { at: Date.now(), clientIp: (socket as Socket).remoteAddress ?? '' };
  answerAfterEarlierResponses(socket, 0, () => guarded(socket, () => answerParserError(err, socket, deps, arrival)));
}

/** The response currently attached to the connection (Node's own clientError default reads it too). */
function inFlight(socket: Duplex): ServerResponse | undefined {
  return (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage ?? undefined;
}

/**
 * When the error is in a later pipelined request, the earlier ones are answered first so
 * the client does not take the error for their answer.
 */
function answerAfterEarlierResponses(socket: Duplex, round: number, answer: () => void): void {
  const res = inFlight(socket);
  if (socket.destroyed || !res || !res.req?.complete || res.writableFinished || round >= PIPELINE_WAIT_LIMIT) return answer();
  const next = () => {
    res.off('finish', next);
    res.off('close', next);
    answerAfterEarlierResponses(socket, round + 1, answer);
  };
  res.on('finish', next);
  res.on('close', next);
}

function answerParserError(err: ParserError, socket: Duplex, deps: ProtocolErrorDeps, arrival: { at: number; clientIp: string }): void {
  const res = inFlight(socket);
  // An in-flight request whose body is still arriving: the error is in that body.
  const current = res && !res.req?.complete ? res.req : undefined;
  const denial = parserDenial({ code: err.code!, reason: err.reason, inBody: current !== undefined, bytesParsed: err.bytesParsed });
  if (current) denial.detail += `, while receiving the body of ${current.method} ${pathOf(current.url ?? '')}`;
  const target = current ? splitTarget(current.url ?? '') : requestLineOf(err.rawPacket, err.bytesParsed);
  const requestId = newRequestId();
  const decision = toDecision(denial, requestId, deps.revision(), current?.method ?? target.method, target.path);
  const canAnswer = !socket.destroyed && socket.writable && !res?.headersSent;
  // When the error is in a body being forwarded, the connection closes as soon as the answer
  // is out: its close aborts the upstream request at once, before any more of it is sent.
  if (canAnswer) closeAfter(socket, rawResponse(decisionProblem(decision, 'anyone', deps.typeBase()), requestId), current !== undefined);
  else socket.destroy();
  record(deps, decision, {
    at: arrival.at,
    status: canAnswer ? decision.status : 0,
    query: target.query,
    host: current ? String(current.headers.host ?? '') : '',
    clientIp: arrival.clientIp,
    requestHeaders: current ? current.headers : {},
  });
}

function onUnmetExpectation(req: IncomingMessage, res: ServerResponse, deps: ProtocolErrorDeps): void {
  const at = Date.now();
  const requestId = newRequestId();
  res.setHeader('x-request-id', requestId);
  const desc = describe(req);
  const expect = String(req.headers.expect ?? '');
  const denial = protocolDenial({
    code: 'protocol.expectation_failed',
    ruleId: 'protocol:expect',
    detail: `Expect: ${expect.slice(0, 100)} is not supported; only 100-continue is`,
    hint: 'The gateway supports only "Expect: 100-continue"; remove the Expect header or use 100-continue.',
    evidence: [{ where: 'header:Expect', expected: '100-continue', observed: expect.slice(0, 100) }],
  });
  const decision = toDecision(denial, requestId, deps.revision(), desc.method, desc.path);
  decision.correlationId = correlationIdFrom(req.headers['x-request-id']);
  // The client may send its body anyway: closing keeps the next request's framing sound.
  writeProblem(res, decisionProblem(decision, 'anyone', deps.typeBase()), true);
  record(deps, decision, { at, status: decision.status, query: desc.query, host: desc.host, clientIp: desc.clientIp, requestHeaders: desc.headers });
}

function onConnect(req: IncomingMessage, socket: Duplex, deps: ProtocolErrorDeps): void {
  const at = Date.now();
  // Node hands the raw socket over without its error handling.
  socket.on('error', () => socket.destroy());
  const requestId = newRequestId();
  const denial = protocolDenial({
    code: 'protocol.connect_unsupported',
    ruleId: 'protocol:connect',
    detail: 'a CONNECT request; the gateway is a reverse proxy and opens no tunnels',
    hint: 'The gateway is not a forward proxy; send requests to the API directly, with a path starting with /.',
    evidence: [{ where: 'method', expected: 'not CONNECT', observed: 'CONNECT' }],
  });
  const decision = toDecision(denial, requestId, deps.revision(), 'CONNECT', pathOf(req.url ?? ''));
  closeAfter(socket, rawResponse(decisionProblem(decision, 'anyone', deps.typeBase()), requestId));
  record(deps, decision, {
    at,
    status: decision.status,
    query: '',
    host: String(req.headers.host ?? ''),
    clientIp: req.socket.remoteAddress ?? '',
    requestHeaders: req.headers,
  });
}

/** A protocol denial as a decision record; the protocol layer is the only one that ran. */
function toDecision(d: Denial, requestId: string, revision: string, method: string, path: string): Decision {
  const spec = codeSpec(d.code);
  return {
    requestId,
    at: new Date().toISOString(),
    configRevision: revision,
    disposition: 'enforce',
    outcome: 'deny',
    status: spec.status,
    code: d.code,
    layer: 'protocol',
    rule: { id: d.ruleId },
    denyKind: spec.denyKind,
    detail: d.detail,
    hint: d.hint,
    evidence: d.evidence,
    fixes: d.fixes,
    alsoWouldDeny: [],
    trace: [{ layer: 'protocol', verdict: 'deny', ruleId: d.ruleId, code: d.code, us: 0 }],
    method,
    path,
  };
}

type RecordFields = Pick<CallRecord, 'at' | 'status' | 'query' | 'host' | 'clientIp' | 'requestHeaders'>;

function record(deps: ProtocolErrorDeps, decision: Decision, f: RecordFields): void {
  decision.status = f.status;
  const entry: CallRecord = {
    ...f,
    requestId: decision.requestId,
    correlationId: decision.correlationId,
    method: decision.method,
    path: decision.path,
    outcome: 'deny',
    code: decision.code,
    layer: 'protocol',
    totalMs: Date.now() - f.at,
    configRevision: decision.configRevision,
    decision,
  };
  deps.callLog.record(entry);
  deps.observe?.(entry);
}

/** The whole response as bytes: there is no ServerResponse for a request that failed to parse. */
function rawResponse(p: ProblemResponse, requestId: string): string {
  let head = `HTTP/1.1 ${p.status} ${STATUS_CODES[p.status] ?? 'Error'}\r\n`;
  for (const [k, v] of Object.entries(p.headers)) head += `${k}: ${v}\r\n`;
  head += `x-request-id: ${requestId}\r\ncontent-length: ${Buffer.byteLength(p.body)}\r\nconnection: close\r\ndate: ${new Date().toUTCString()}\r\n\r\n`;
  return head + p.body;
}

/**
 * Sends the answer and half-closes. Destroying at once would reset the connection while the
 * client is still sending (an oversized head), and a reset can discard the answer before the
 * client reads it; so unread bytes are drained until the client closes or LINGER_MS passes.
 * `closeWhenSent` skips the drain: the socket is destroyed once the answer is handed over.
 */
function closeAfter(socket: Duplex, payload: string, closeWhenSent = false): void {
  socket.end(payload, closeWhenSent ? () => socket.destroy() : undefined);
  socket.resume();
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}

/** Method and target of the request line the failed request started with, when legible. */
function requestLineOf(packet: Buffer | undefined, errorAt: number | undefined): { method: string; path: string; query: string } {
  const unknown = { method: '-', path: '-', query: '' };
  if (!packet) return unknown;
  const end = errorAt === undefined ? packet.length : Math.min(errorAt, packet.length);
  // With pipelining the packet may start with earlier requests: take the last head start.
  const start = packet.lastIndexOf('\r\n\r\n', Math.max(0, end - 4));
  const from = start === -1 || start + 4 > end ? 0 : start + 4;
  const line = packet.subarray(from, Math.min(packet.length, from + 2100)).toString('latin1');
  const m = /^([A-Z][A-Z-]{0,19}) (\S{1,2048})/.exec(line);
  if (!m) return unknown;
  return { ...splitTarget(m[2]), method: m[1] };
}

function splitTarget(target: string): { method: string; path: string; query: string } {
  const q = target.indexOf('?');
  return { method: '-', path: pathOf(target), query: q === -1 ? '' : sanitize(target.slice(q + 1)) };
}

function pathOf(target: string): string {
  const q = target.indexOf('?');
  return sanitize(q === -1 ? target : target.slice(0, q)) || '-';
}

/** Raw request bytes never reach the log as control characters (a terminal reading `why` output). */
function sanitize(s: string): string {
  return s.replace(/[^\x21-\x7e]/g, (c) => '%' + (c.charCodeAt(0) & 0xff).toString(16).toUpperCase().padStart(2, '0')).slice(0, 2048);
}
