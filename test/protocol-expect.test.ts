// Expect: 100-continue is answered only once the pipeline allows the request; a refused one
// gets its final problem response at once, without a 100, and the body is never asked for.
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { assertLogged, assertRefused, startProtocolFixture, TYPE_BASE, type ProtocolFixture } from './helpers/protocol-fixture.ts';
import { assertProblem, parseResponses } from './helpers/raw-http.ts';

let f: ProtocolFixture;
before(async () => {
  f = await startProtocolFixture();
});
after(async () => {
  await f.close();
});

/** A raw connection read step by step: `until` waits for text to arrive (bounded). */
class RawClient {
  readonly socket: Socket;
  text = '';
  closed = false;
  private waiters: Array<() => void> = [];

  private constructor(port: number) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.on('data', (d: Buffer) => {
      this.text += d.toString('latin1');
      this.wake();
    });
    this.socket.on('error', () => {});
    this.socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  static async open(port: number): Promise<RawClient> {
    const c = new RawClient(port);
    await new Promise((r) => c.socket.once('connect', r));
    return c;
  }

  private wake() {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves true once `pred` holds, false after `ms`. */
  async until(pred: () => boolean, ms = 2000): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!pred()) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => (clearTimeout(t), r()));
      });
    }
    return true;
  }
}

const BODY = '{"item":"book"}';

test('an allowed request gets "100 Continue" before its body is sent, then the upstream answer', async () => {
  const before = f.upstream.seen.length;
  const c = await RawClient.open(f.gw.port);
  c.socket.write(`POST /orders HTTP/1.1\r\nHost: api.example.com\r\nContent-Type: application/json\r\nContent-Length: ${BODY.length}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`);
  assert.ok(await c.until(() => c.text.includes('\r\n\r\n')), 'an interim answer arrives before the body is sent');
  assert.equal(c.text, 'HTTP/1.1 100 Continue\r\n\r\n');
  assert.equal(f.upstream.seen.length, before, 'nothing complete upstream before the body');
  c.socket.write(BODY);
  assert.ok(await c.until(() => c.closed));
  const [interim, final] = parseResponses(c.text);
  assert.equal(interim.status, 100);
  assert.equal(final.status, 200);
  assert.equal(JSON.parse(final.body).body, BODY);
  assert.equal(f.upstream.seen.length, before + 1);
});

for (const [name, head, status, code] of [
  ['no route (404)', 'POST /invoices HTTP/1.1', 404, 'route.not_found'],
  ['method not allowed (405)', 'DELETE /orders/1 HTTP/1.1', 405, 'method.not_allowed'],
] as const) {
  test(`a refused request with Expect gets the ${name} problem at once, without 100 Continue`, async () => {
    const before = f.started();
    const c = await RawClient.open(f.gw.port);
    c.socket.write(`${head}\r\nHost: api.example.com\r\nContent-Length: ${BODY.length}\r\nExpect: 100-continue\r\n\r\n`);
    assert.ok(await c.until(() => c.closed), 'the gateway answers and closes without waiting for the body');
    assert.doesNotMatch(c.text, /100 Continue/);
    const responses = parseResponses(c.text);
    assert.equal(responses.length, 1);
    assertProblem(responses[0], status, code, TYPE_BASE);
    assert.equal(responses[0].headers.connection, 'close');
    assert.equal(f.started(), before, 'nothing reached the upstream');
  });
}

test('a request the protocol layer refuses gets no 100 Continue either', async () => {
  const c = await RawClient.open(f.gw.port);
  c.socket.write(`POST /orders HTTP/1.1\r\nContent-Length: ${BODY.length}\r\nExpect: 100-continue\r\n\r\n`);
  assert.ok(await c.until(() => c.closed));
  assert.doesNotMatch(c.text, /100 Continue/);
  assertProblem(parseResponses(c.text)[0], 400, 'protocol.host_missing', TYPE_BASE);
});

test('an Expect other than 100-continue is 417', async () => {
  const r = await assertRefused(f, `POST /orders HTTP/1.1\r\nHost: api.example.com\r\nContent-Length: 2\r\nExpect: 200-ok\r\n\r\n{}`, 417, 'protocol.expectation_failed', {
    reachesUpstream: false,
  });
  assert.match(String(r.body.hint), /100-continue/);
  await assertLogged(f, r.requestId, 417, 'protocol.expectation_failed');
});
