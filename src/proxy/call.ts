import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Dispatcher } from 'undici';
import type { Peer } from './balancer.ts';
import { classifyUpstreamError, failedBeforeSending } from './classify.ts';
import type { UpstreamErrorCode } from './errors.ts';
import { clearCopiedHeaders, copyResponseHeaders, type GatewayHeaders } from './headers.ts';
import type { ServiceProxy, UpstreamTarget } from './service.ts';
import type { ProxyOutcome } from './types.ts';

/** The call a client response belongs to, so listeners can be shared functions, not closures. */
const kCall = Symbol('pinpoint.proxyCall');
type CallResponse = ServerResponse & { [kCall]?: ProxyCall | null };

function onClientClose(this: CallResponse): void {
  this[kCall]?.clientClosed();
}

function onClientDrain(this: CallResponse): void {
  this[kCall]?.clientDrained();
}

function retryOn(call: ProxyCall, peer: Peer<UpstreamTarget>): void {
  call.send(peer);
}

const CLIENT_GONE = Object.assign(new Error('the client closed the connection'), { code: 'UND_ERR_ABORTED' });

/**
 * One proxied request: the undici dispatch handler that streams the upstream's answer into
 * the client response. It uses undici's raw handler interface (raw header buffers, return
 * false to pause), which is what undici runs natively: no header object is built for it.
 */
export class ProxyCall implements Dispatcher.DispatchHandler {
  readonly outcome: ProxyOutcome = { attempts: 0 };
  readonly promise: Promise<ProxyOutcome>;
  private resolve!: (o: ProxyOutcome) => void;
  private readonly clientSocket: Socket | null;
  private peer: Peer<UpstreamTarget> | undefined = undefined;
  /** Bit set of the peers already tried (retries go elsewhere). */
  private tried = 0;
  private retriesLeft: number;
  private abort: ((err?: Error) => void) | null = null;
  private resume: (() => void) | null = null;
  /** The request went onto an upstream connection (bytes may have been sent). */
  private connected = false;
  /** The response head was written to the client: a failure can only close the connection. */
  private responding = false;
  private clientGone = false;
  private badResponse: string | null = null;
  private done = false;
  private t0 = 0;
  /** A 2xx answer's body kept while relayed (captureLimit > 0); null when none is kept. */
  private captured: Buffer[] | null = null;
  private capturedBytes = 0;

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly service: ServiceProxy,
    private readonly path: string,
    private readonly headers: string[],
    /** The client request when it has a body (streamed as is), the body when the pipeline read it, else null. */
    private readonly body: IncomingMessage | Buffer | null,
    retryable: boolean,
    private readonly onSettled: () => void,
    /** ForwardInfo.captureBody: keep a copy of a 2xx body up to this many bytes. */
    private readonly captureLimit = 0,
    /** ForwardInfo.gatewayHeaders. */
    private readonly gatewayHeaders?: GatewayHeaders,
  ) {
    this.promise = new Promise((r) => (this.resolve = r));
    this.clientSocket = req.socket;
    this.retriesLeft = retryable ? service.retries : 0;
  }

  start(): void {
    if (this.res.destroyed || this.clientSocket?.destroyed) return this.finish('client.aborted', 'the client left before the request was forwarded');
    const peer = this.service.balancer.pick();
    if (peer === undefined) return this.finish('upstream.unavailable', `every upstream of service ${this.service.name} is ejected`);
    const res = this.res as CallResponse;
    res[kCall] = this;
    res.on('close', onClientClose);
    try {
      this.send(peer);
    } catch (err) {
      // undici reports its own errors through onError; this is a bug of ours, still answered.
      this.finish('upstream.bad_response', `proxy failure: ${(err as Error).message}`);
    }
  }

  send(peer: Peer<UpstreamTarget>): void {
    this.peer = peer;
    if (peer.index < 31) this.tried |= 1 << peer.index;
    this.outcome.upstream = peer.target.url;
    this.outcome.attempts!++;
    this.connected = false;
    this.abort = null;
    this.t0 = performance.now();
    // Errors of dispatch itself (closed pool, invalid request) come back through onError.
    peer.target.pool.dispatch({ path: this.path, method: this.req.method!, headers: this.headers, body: this.body }, this);
  }

  onConnect(abort: (err?: Error) => void): void {
    this.abort = abort;
    this.connected = true;
    if (this.clientGone) abort(CLIENT_GONE);
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    // 1xx informational answers (102, 103) are not forwarded; the final answer follows.
    if (statusCode < 200) return true;
    const o = this.outcome;
    o.upstreamStatus = statusCode;
    o.upstreamMs = performance.now() - this.t0;
    this.service.balancer.success(this.peer!);
    const res = this.res;
    try {
      copyResponseHeaders(res, rawHeaders, this.gatewayHeaders);
      if (statusCode === 204) res.removeHeader('content-length');
      // The client's body is not all read: the connection cannot carry another request.
      if (this.body === this.req && !this.req.complete) res.setHeader('connection', 'close');
      res.writeHead(statusCode);
    } catch (err) {
      clearCopiedHeaders(res, rawHeaders, this.gatewayHeaders);
      this.badResponse = `response header refused: ${(err as Error).message}`;
      this.abort!(err as Error);
      return false;
    }
    this.responding = true;
    this.resume = resume;
    if (this.captureLimit > 0 && statusCode < 300) this.captured = [];
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.captured !== null) this.keep(chunk);
    if (this.res.write(chunk)) return true;
    // A destroyed response never drains: do not wait on it (its 'close' ends the call too).
    if (this.res.destroyed) {
      this.clientClosed();
      return false;
    }
    // Backpressure: undici stops reading the upstream socket until the client drains.
    this.res.once('drain', onClientDrain);
    return false;
  }

  onComplete(): void {
    this.res.end();
    if (this.captured !== null) this.outcome.body = Buffer.concat(this.captured, this.capturedBytes);
    this.finish(undefined, undefined);
  }

  private keep(chunk: Buffer): void {
    this.capturedBytes += chunk.length;
    if (this.capturedBytes <= this.captureLimit) {
      this.captured!.push(chunk);
      return;
    }
    this.captured = null;
    this.outcome.bodyNotKept = `the answer body is larger than ${this.captureLimit} bytes`;
  }

  onError(err: Error): void {
    if (this.done) return;
    if (this.responding && noBodyExpected(this.outcome.upstreamStatus!) && (err as { code?: string }).code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH') {
      // undici checks Content-Length even on 204/304, which have no body by definition
      // (a 304 may state the length of the representation): the answer is complete.
      this.res.end();
      return this.finish(undefined, undefined);
    }
    let code: UpstreamErrorCode;
    let detail: string;
    if (this.clientGone || this.clientSocket?.destroyed) {
      code = 'client.aborted';
      detail = 'the client closed the connection';
    } else if (this.badResponse !== null) {
      code = 'upstream.bad_response';
      detail = this.badResponse;
    } else {
      code = classifyUpstreamError(err);
      detail = describeError(err);
    }
    const peer = this.peer;
    if (peer !== undefined && upstreamAtFault(code, err)) this.service.balancer.failure(peer);
    if (!this.connected && this.retriesLeft > 0 && failedBeforeSending(code)) {
      const next = this.service.balancer.pick(this.tried);
      if (next !== undefined) {
        this.retriesLeft--;
        // Not from inside undici's error path: the next attempt starts on a clean stack.
        process.nextTick(retryOn, this, next);
        return;
      }
    }
    if (this.responding) this.res.destroy();
    this.finish(code, detail);
  }

  clientClosed(): void {
    if (this.done) return;
    this.clientGone = true;
    // Not yet on a connection: onConnect (or the connect error) ends the call.
    if (this.abort !== null) this.abort(CLIENT_GONE);
  }

  clientDrained(): void {
    this.resume?.();
  }

  private finish(code: UpstreamErrorCode | undefined, detail: string | undefined): void {
    if (this.done) return;
    this.done = true;
    (this.res as CallResponse)[kCall] = null;
    if (code !== undefined) {
      this.outcome.error = code;
      this.outcome.errorDetail = detail;
    }
    this.onSettled();
    this.resolve(this.outcome);
  }
}

function noBodyExpected(status: number): boolean {
  return status === 204 || status === 304;
}

function upstreamAtFault(code: UpstreamErrorCode, err: Error): boolean {
  if (code === 'client.aborted' || code === 'upstream.unavailable') return false;
  const c = (err as { code?: string }).code;
  return c !== 'UND_ERR_INVALID_ARG' && c !== 'UND_ERR_NOT_SUPPORTED';
}

function describeError(err: Error): string {
  const code = (err as { code?: string }).code;
  return code ? `${code}: ${err.message}` : err.message;
}
