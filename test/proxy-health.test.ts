import assert from 'node:assert/strict';
import { test } from 'node:test';
import { closedPort, send, sleep, startEcho, startFront, startRawUpstream } from './proxy-harness.ts';

test('weights 3:1 split 40 GET requests 30/10', async () => {
  const a = await startEcho();
  const b = await startEcho();
  const f = await startFront({ s: { upstreams: [{ url: a.url, weight: 3 }, { url: b.url, weight: 1 }] } });
  try {
    for (let i = 0; i < 40; i++) assert.equal((await send(f.url, { path: `/r/${i}` })).status, 200);
    assert.equal(a.seen.length, 30);
    assert.equal(b.seen.length, 10);
    const o = await f.outcome(40);
    assert.ok(o.upstream === a.url || o.upstream === b.url);
  } finally {
    await f.close();
    await a.close();
    await b.close();
  }
});

test('an upstream is ejected after N consecutive failures and tried again after the cool-down', async () => {
  let healthy = false;
  const a = await startRawUpstream((sock) => {
    if (healthy) sock.write('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na');
    else sock.destroy();
  });
  const b = await startEcho();
  const f = await startFront({ s: { upstreams: [{ url: a.url }, { url: b.url }], health: { failures: 2, cooldownMs: 300 } } });
  try {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await send(f.url, { path: '/x' })).status);
    assert.deepEqual(statuses, [502, 200, 502, 200], 'round-robin hits the broken one twice');
    const health = f.proxies.health();
    assert.equal(health[0]!.healthy, false);
    assert.equal(health[0]!.consecutiveFailures, 2);
    assert.ok(health[0]!.ejectedUntil! > Date.now());
    assert.equal(health[1]!.healthy, true);

    for (let i = 0; i < 6; i++) assert.equal((await send(f.url, { path: '/y' })).status, 200);
    assert.equal(a.requests, 2, 'nothing more was sent to the ejected upstream');

    healthy = true;
    await sleep(350);
    const bodies: string[] = [];
    for (let i = 0; i < 4; i++) bodies.push((await send(f.url, { path: '/z' })).body.toString());
    assert.ok(bodies.includes('a'), `back in rotation after the cool-down: ${bodies.join(',')}`);
    assert.equal(f.proxies.health()[0]!.consecutiveFailures, 0);
    assert.equal(f.proxies.health()[0]!.healthy, true);
  } finally {
    await f.close();
    await a.close();
    await b.close();
  }
});

test('every upstream ejected -> 503 upstream.unavailable without contacting anyone', async () => {
  const a = await startRawUpstream((sock) => sock.destroy());
  const f = await startFront({ s: { upstreams: [{ url: a.url }], health: { failures: 1, cooldownMs: 5000 } } });
  try {
    assert.equal((await send(f.url, { path: '/x' })).status, 502);
    const res = await send(f.url, { path: '/x' });
    assert.equal(res.status, 503);
    assert.equal(JSON.parse(res.body.toString()).code, 'upstream.unavailable');
    assert.equal(a.requests, 1);
    const o = await f.outcome(2);
    assert.equal(o.error, 'upstream.unavailable');
    assert.equal(o.attempts, 0);
  } finally {
    await f.close();
    await a.close();
  }
});

test('a POST to an upstream that resets is sent exactly once; a GET that reached it is not retried either', async () => {
  const a = await startRawUpstream((sock) => sock.destroy());
  const b = await startEcho();
  const f = await startFront({ s: { upstreams: [{ url: a.url }, { url: b.url }], idempotentRetries: 3, health: { failures: 10 } } });
  try {
    const post = await send(f.url, { method: 'POST', path: '/orders', headers: { 'content-type': 'application/json' }, body: '{"n":1}' });
    assert.equal(post.status, 502);
    assert.equal(a.requests, 1, 'the POST reached the upstream once');
    assert.equal(b.seen.length, 0, 'and was never sent elsewhere');
    const o = await f.outcome(1);
    assert.equal(o.attempts, 1);
    assert.equal(o.error, 'upstream.reset');

    assert.equal((await send(f.url, { path: '/b-turn' })).status, 200, 'round-robin: b');
    const get = await send(f.url, { path: '/orders' });
    assert.equal(get.status, 502, 'the GET was sent, so it is not retried');
    assert.equal(a.requests, 2);
    assert.equal((await f.outcome(3)).attempts, 1);
  } finally {
    await f.close();
    await a.close();
    await b.close();
  }
});

test('connection refused: a GET is retried on the other upstream, a POST is not', async () => {
  const port = await closedPort();
  const b = await startEcho();
  const f = await startFront({ s: { upstreams: [{ url: `http://127.0.0.1:${port}` }, { url: b.url }], idempotentRetries: 1, health: { failures: 10 } } });
  try {
    const get = await send(f.url, { path: '/items' });
    assert.equal(get.status, 200);
    assert.equal(b.seen.length, 1);
    const o = await f.outcome(1);
    assert.equal(o.attempts, 2);
    assert.equal(o.upstream, b.url);
    assert.equal(o.error, undefined);

    // b's turn now, then the refused one again: send one GET to b first.
    assert.equal((await send(f.url, { path: '/b' })).status, 200);
    const post = await send(f.url, { method: 'POST', path: '/items', body: 'x' });
    assert.equal(post.status, 502);
    assert.equal(JSON.parse(post.body.toString()).code, 'upstream.connect_failed');
    assert.equal(b.seen.filter((s) => s.method === 'POST').length, 0, 'the POST is never retried');
    assert.equal((await f.outcome(3)).attempts, 1);
  } finally {
    await f.close();
    await b.close();
  }
});

test('idempotentRetries: 0 turns retries off', async () => {
  const port = await closedPort();
  const b = await startEcho();
  const f = await startFront({ s: { upstreams: [{ url: `http://127.0.0.1:${port}` }, { url: b.url }], idempotentRetries: 0 } });
  try {
    assert.equal((await send(f.url, { path: '/x' })).status, 502);
    assert.equal(b.seen.length, 0);
    assert.equal((await f.outcome(1)).attempts, 1);
  } finally {
    await f.close();
    await b.close();
  }
});
