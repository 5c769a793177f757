import { spawn } from 'node:child_process';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import { connect, createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { ConfigSchema, type ConfigInput } from '../src/config/schema.ts';
import type { CompiledRoute } from '../src/layers/route/compile.ts';
import { UPSTREAM_ERRORS } from '../src/proxy/errors.ts';
import { createProxies } from '../src/proxy/index.ts';
import type { ProxyOutcome, ServiceProxies } from '../src/proxy/types.ts';

/**
 * A small real front server that calls forward() the way the gateway's handler does
 * (x-request-id set first, a problem response when forward reports an error before any
 * header was sent), and keeps every outcome for the test to inspect.
 */
export interface ProxyFront {
  url: string;
  port: number;
  proxies: ServiceProxies;
  outcomes: ProxyOutcome[];
  /** The n-th outcome (1-based), once it is in (bounded wait). */
  outcome(n?: number): Promise<ProxyOutcome>;
  close(): Promise<void>;
}

export type Services = NonNullable<ConfigInput['services']>;

export async function startFront(services: Services, route: Partial<CompiledRoute> = {}): Promise<ProxyFront> {
  const config = ConfigSchema.parse({ services });
  const proxies = createProxies(config);
  const compiled: CompiledRoute = { id: 'r', service: Object.keys(services)[0]!, methods: null, index: 0, ...route };
  const outcomes: ProxyOutcome[] = [];
  let seq = 0;
  const server: Server = createServer((req, res) => {
    const requestId = `req_test_${++seq}`;
    res.setHeader('x-request-id', requestId);
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const info = {
      requestId,
      clientIp: req.socket.remoteAddress ?? '',
      path: q === -1 ? url : url.slice(0, q),
      query: q === -1 ? '' : url.slice(q + 1),
      host: req.headers.host ?? '',
      proto: 'http',
    };
    void proxies.forward(req, res, compiled, info).then((o) => {
      if (o.error && o.error !== 'client.aborted' && !res.headersSent) {
        const body = JSON.stringify({ code: o.error, status: UPSTREAM_ERRORS[o.error].status });
        res.writeHead(UPSTREAM_ERRORS[o.error].status, { 'content-type': 'application/problem+json', 'content-length': Buffer.byteLength(body), connection: 'close' });
        res.end(body);
      }
      outcomes.push(o);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    proxies,
    outcomes,
    async outcome(n = 1) {
      for (let i = 0; i < 500 && outcomes.length < n; i++) await sleep(10);
      if (outcomes.length < n) throw new Error(`expected ${n} outcomes, got ${outcomes.length}`);
      return outcomes[n - 1]!;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await proxies.close();
    },
  };
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
}

/** One request with node's client (no keep-alive), headers exactly as given. */
export function send(
  url: string,
  opts: { method?: string; path?: string; headers?: Record<string, string | string[]>; body?: string | Buffer } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url + (opts.path ?? '/'), { method: opts.method ?? 'GET', headers: opts.headers, agent: false }, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A loopback port with nothing listening on it (bound, then released). */
export async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export { startUpstream as startEcho, type Upstream as EchoUpstream } from './helpers/upstream.ts';

/** Listens on an ephemeral loopback port; close() drops open connections. */
export async function listen(server: Server): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Sends raw request bytes and reads until the server closes (or `timeoutMs`). */
export function rawExchange(port: number, bytes: string | Buffer, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => sock.destroy(), timeoutMs);
    sock.on('data', (c) => chunks.push(c));
    sock.on('error', reject);
    sock.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
    sock.write(bytes);
  });
}

/** An upstream speaking raw TCP: `onRequest` gets the socket once a request head arrived. */
export async function startRawUpstream(onRequest: (sock: Socket, head: string) => void): Promise<{ url: string; port: number; requests: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const state = { requests: 0 };
  const server = createNetServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {});
    let buf = '';
    sock.on('data', (c) => {
      buf += c.toString('latin1');
      const end = buf.indexOf('\r\n\r\n');
      if (end !== -1) {
        const head = buf.slice(0, end);
        buf = buf.slice(end + 4);
        state.requests++;
        onRequest(sock, head);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get requests() {
      return state.requests;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/**
 * A loopback port that never completes a TCP handshake: a child process listens with the
 * smallest backlog and never accepts; two filler connections fill the queue, so the
 * kernel drops further SYNs and a connect attempt runs into its timeout.
 */
export async function blackholePort(): Promise<{ port: number; close(): void }> {
  const code =
    "const s=require('net').createServer();s.listen({port:0,host:'127.0.0.1',backlog:1},()=>{" +
    "process.stdout.write(s.address().port+'\\n');Atomics.wait(new Int32Array(new SharedArrayBuffer(4)),0,0,15000)})";
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'ignore'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (d) => resolve(Number(String(d).trim())));
    child.once('error', reject);
  });
  const fillers: Socket[] = [];
  for (let i = 0; i < 2; i++) {
    const s = connect(port, '127.0.0.1');
    s.on('error', () => {});
    await new Promise<void>((r) => s.once('connect', () => r()));
    fillers.push(s);
  }
  return {
    port,
    close() {
      for (const s of fillers) s.destroy();
      child.kill();
    },
  };
}
