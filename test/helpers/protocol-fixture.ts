import assert from 'node:assert/strict';
import { assertProblem, exchange, type RawExchange } from './raw-http.ts';
import { startGateway, startUpstream, type TestGateway, type Upstream } from './servers.ts';

export const TYPE_BASE = 'https://docs.example.com/errors/';

/** A gateway with one orders route in front of an echo upstream that counts every request head it sees. */
export interface ProtocolFixture {
  gw: TestGateway;
  upstream: Upstream;
  /** Request heads that reached the upstream, complete or not. */
  started(): number;
  close(): Promise<void>;
}

export async function startProtocolFixture(gateway = ''): Promise<ProtocolFixture> {
  const upstream = await startUpstream();
  let started = 0;
  upstream.server.on('request', () => started++);
  const gw = await startGateway(`
gateway: { errorTypeBase: "${TYPE_BASE}"${gateway ? ', ' + gateway : ''} }
services:
  orders: { upstreams: [{ url: "${upstream.url}" }] }
routes:
  - { id: orders, service: orders, paths: [/orders, /orders/:id], methods: [GET, POST] }
`);
  return {
    gw,
    upstream,
    started: () => started,
    async close() {
      await gw.close();
      await upstream.close();
    },
  };
}

export interface Refusal {
  exchange: RawExchange;
  body: Record<string, unknown>;
  requestId: string;
}

/**
 * Sends `payload` on a fresh connection and asserts the one answer is the problem response
 * `status`/`code`, that the upstream got no complete request out of it (and, with
 * `reachesUpstream: false`, not even a request head), and that the gateway still serves.
 */
export async function assertRefused(
  f: ProtocolFixture,
  payload: string | Array<string | Buffer>,
  status: number,
  code: string,
  opts: { closes?: boolean; reachesUpstream?: boolean } = {},
): Promise<Refusal> {
  const complete = f.upstream.seen.length;
  const heads = f.started();
  const ex = await exchange(f.gw.port, payload);
  assert.equal(ex.responses.length, 1, `exactly one answer, got: ${ex.raw.slice(0, 300)}`);
  const res = ex.responses[0];
  const body = assertProblem(res, status, code, TYPE_BASE);
  if (opts.closes !== false) {
    assert.equal(res.headers.connection, 'close');
    assert.ok(ex.closedByServer, 'the gateway closes the connection');
  }
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(f.upstream.seen.length, complete, 'no complete request reached the upstream');
  if (opts.reachesUpstream === false) assert.equal(f.started(), heads, 'nothing reached the upstream');
  await assertStillServing(f);
  return { exchange: ex, body, requestId: res.headers['x-request-id'] };
}

/** A good request on a new connection still gets through. */
export async function assertStillServing(f: ProtocolFixture): Promise<void> {
  const before = f.upstream.seen.length;
  const ex = await exchange(f.gw.port, 'GET /orders/7 HTTP/1.1\r\nHost: api.example.com\r\nConnection: close\r\n\r\n');
  assert.equal(ex.responses[0]?.status, 200, `the gateway still serves: ${ex.raw.slice(0, 200)}`);
  assert.equal(f.upstream.seen.length, before + 1);
}

/** Asserts the call log holds the refusal with its code, under the protocol layer. */
export async function assertLogged(f: ProtocolFixture, requestId: string, status: number, code: string): Promise<void> {
  const reader = await f.gw.reader();
  const stored = reader.get(requestId);
  assert.ok(stored, `call log entry for ${requestId}`);
  assert.equal(stored.status, status);
  assert.equal(stored.outcome, 'deny');
  assert.equal(stored.code, code);
  assert.equal(stored.layer, 'protocol');
  assert.equal(stored.decision.code, code);
  assert.equal(stored.decision.layer, 'protocol');
  assert.equal(stored.decision.outcome, 'deny');
  assert.equal(stored.decision.configRevision, f.gw.gateway.loaded.revision);
  assert.ok(stored.decision.rule?.id.startsWith('protocol:'), 'the operator sees which protocol rule refused');
  assert.ok(stored.decision.evidence.length > 0);
}
