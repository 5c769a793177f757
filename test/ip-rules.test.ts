// IP allow and deny lists end to end: a real gateway on loopback, a trusted proxy (the test
// client itself, 127.0.0.1) that sends X-Forwarded-For, spoofing attempts, tenant and consumer
// lists after authn, IPv6 and IPv4-mapped peers, and what the upstream is told.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openCallLog, openCallLogReader } from '../src/calllog/index.ts';
import { callLogSettings } from '../src/calllog/settings.ts';
import type { StoredCall } from '../src/calllog/types.ts';
import { loadConfigText } from '../src/config/load.ts';
import { Gateway } from '../src/server/gateway.ts';
import { openStore } from '../src/store/index.ts';
import type { CredentialStore } from '../src/store/types.ts';
import { startGateway, startUpstream, type TestGateway, type Upstream } from './helpers/servers.ts';

let upstream: Upstream;
let behindProxy: TestGateway;
let direct: TestGateway;
let store: CredentialStore;
let storeDir: string;

const yaml = (trusted: string) => `
ip:
  trustedProxies: [${trusted}]
  deny: [192.0.2.0/24, "2001:db8:bad::/48"]
tenants:
  acme: { ip: { allow: [198.51.100.0/24, 203.0.113.0/24] } }
consumers:
  acme-app: { tenant: acme, ip: { deny: [203.0.113.66] } }
services:
  s: { upstreams: [{ url: "${upstream.url}" }] }
routes:
  - { id: open, service: s, paths: [/open] }
  - { id: office, service: s, paths: [/office], ip: { allow: [198.51.100.0/24, "2001:db8:1::/48"] } }
  - { id: keyed, service: s, paths: [/keyed], authn: [apiKey] }
`;

before(async () => {
  upstream = await startUpstream();
  storeDir = mkdtempSync(join(tmpdir(), 'pinpoint-ip-'));
  store = openStore(join(storeDir, 'store.db'));
  behindProxy = await startGateway(yaml('127.0.0.1'), { store });
  direct = await startGateway(yaml('10.0.0.1'), { store });
});
after(async () => {
  await behindProxy.close();
  await direct.close();
  await store.close();
  await upstream.close();
  rmSync(storeDir, { recursive: true, force: true });
});

async function logged(gw: TestGateway, res: Response): Promise<StoredCall> {
  const id = res.headers.get('x-request-id')!;
  const reader = await gw.reader();
  for (let i = 0; i < 400; i++) {
    const call = reader.get(id);
    if (call) return call;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${id} is not in the call log`);
}

const from = (gw: TestGateway, path: string, xff?: string, headers: Record<string, string> = {}) =>
  fetch(gw.url + path, { headers: xff === undefined ? headers : { ...headers, 'x-forwarded-for': xff } });

test('a denied address: the caller is told only that its address is refused; the operator sees the entry and the derivation', async () => {
  const res = await from(behindProxy, '/open', '192.0.2.44');
  assert.equal(res.status, 403);
  const body = await res.json();
  assert.equal(body.code, 'ip.address_refused');
  assert.doesNotMatch(JSON.stringify(body), /192\.0\.2|deny|allow|ip\.deny/);
  const call = await logged(behindProxy, res);
  assert.equal(call.code, 'ip.address_denied');
  assert.equal(call.clientIp, '192.0.2.44');
  assert.equal(call.decision.rule?.id, 'ip.deny[0]');
  assert.equal(call.decision.rule?.name, '192.0.2.0/24');
  const derived = call.decision.evidence.find((e) => e.where === 'ip:derived')!;
  assert.match(derived.observed, /X-Forwarded-For entry 1 from the right, after trusted proxies 127\.0\.0\.1 \(socket peer 127\.0\.0\.1\)/);
});

test('an address outside a route allow-list: ip.address_not_allowed names the list; inside it passes', async () => {
  const res = await from(behindProxy, '/office', '203.0.113.5');
  assert.equal(res.status, 403);
  assert.equal((await res.json()).code, 'ip.address_refused');
  const call = await logged(behindProxy, res);
  assert.equal(call.code, 'ip.address_not_allowed');
  assert.equal(call.decision.rule?.id, 'routes[1].ip.allow');
  assert.match(call.decision.detail!, /203\.0\.113\.5 is in no entry of routes\[1\]\.ip\.allow \(198\.51\.100\.0\/24, 2001:db8:1::\/48\)/);
  const ok = await from(behindProxy, '/office', '198.51.100.20');
  assert.equal(ok.status, 200);
  // IPv6 client behind the proxy, in the allowed /48.
  assert.equal((await from(behindProxy, '/office', '2001:db8:1::5')).status, 200);
  // Deny wins over the allow list: an address both allowed by the route and denied by the gateway.
  assert.equal((await logged(behindProxy, await from(behindProxy, '/office', '2001:db8:bad::1'))).code, 'ip.address_denied');
});

test('spoofing: X-Forwarded-For from a client that is not a trusted proxy is ignored, and the fix says why', async () => {
  // 127.0.0.1 is not trusted by this gateway: the header naming an allowed address changes nothing.
  const res = await from(direct, '/office', '198.51.100.20');
  assert.equal(res.status, 403);
  const call = await logged(direct, res);
  assert.equal(call.code, 'ip.address_not_allowed');
  assert.equal(call.clientIp, '127.0.0.1');
  assert.ok(call.decision.fixes.some((f) => /not in ip\.trustedProxies/.test(f.action)));
  // A denied client cannot hide behind a made-up header either.
  const denied = await fetch(direct.url + '/open', { headers: { 'x-forwarded-for': '198.51.100.20', forwarded: 'for=198.51.100.20' } });
  assert.equal(denied.status, 200, '127.0.0.1 is not denied: the request passes with its real address');
  assert.equal((await logged(direct, denied)).clientIp, '127.0.0.1');
});

test('spoofing behind the trusted proxy: forged entries left of the real address, and malformed entries', async () => {
  // The client wrote "198.51.100.20" (allowed); the proxy appended the client's real address.
  const forged = await from(behindProxy, '/office', '198.51.100.20, 192.0.2.9');
  assert.equal((await logged(behindProxy, forged)).code, 'ip.address_denied');
  const forgedAllow = await from(behindProxy, '/office', '198.51.100.20, 203.0.113.9');
  assert.equal((await logged(behindProxy, forgedAllow)).code, 'ip.address_not_allowed');
  // Encodings that a loose parser would read as an allowed or trusted address are not addresses.
  for (const bad of ['3325256724', '198.51.100.020', '0xc6.0x33.0x64.0x14', 'unknown']) {
    const res = await from(behindProxy, '/office', bad);
    const call = await logged(behindProxy, res);
    assert.equal(call.code, 'ip.address_not_allowed', bad);
    assert.equal(call.clientIp, '127.0.0.1', `${bad}: the walk stops at the proxy`);
  }
});

test('tenant and consumer lists apply once the caller is known (after authn)', async () => {
  const { key } = await store.createKey({ consumer: 'acme-app', scopes: [], actor: 'test' });
  const keyed = (xff: string) => from(behindProxy, '/keyed', xff, { 'x-api-key': key });
  assert.equal((await keyed('198.51.100.9')).status, 200);
  const outside = await keyed('192.168.1.1');
  assert.equal(outside.status, 403);
  const o = await logged(behindProxy, outside);
  assert.equal(o.code, 'ip.address_not_allowed');
  assert.equal(o.decision.rule?.id, 'tenants.acme.ip.allow');
  assert.equal(o.consumer, 'acme-app');
  const banned = await logged(behindProxy, await keyed('203.0.113.66'));
  assert.equal(banned.code, 'ip.address_denied');
  assert.equal(banned.decision.rule?.id, 'consumers.acme-app.ip.deny[0]');
  assert.ok(banned.decision.trace.some((t) => t.layer === 'ip.identity' && t.verdict === 'deny'));
  // An unauthenticated request never reaches the identity lists: it is refused by authn.
  const anon = await logged(behindProxy, await from(behindProxy, '/keyed', '192.168.1.1'));
  assert.equal(anon.code, 'authn.credential_missing');
  assert.ok(anon.decision.trace.some((t) => t.layer === 'ip.identity' && t.verdict === 'skipped'));
});

test('the upstream gets X-Forwarded-For and Forwarded with the hop the gateway saw appended', async () => {
  const res = await from(behindProxy, '/open', '1.1.1.1, 198.51.100.7');
  assert.equal(res.status, 200);
  const seen = (await res.json()).headers;
  assert.equal(seen['x-forwarded-for'], '1.1.1.1, 198.51.100.7, 127.0.0.1');
  assert.match(seen.forwarded, /^for=127\.0\.0\.1;host="127\.0\.0\.1:\d+";proto=http$/);
});

/** A gateway listening on a dual-stack or IPv6 address, to see mapped and IPv6 peers. */
async function listeningOn(host: string, text: string) {
  const dir = mkdtempSync(join(tmpdir(), 'pinpoint-ip6-'));
  const loaded = loadConfigText(text, 'ip6.yaml');
  const file = join(dir, 'calls.db');
  const callLog = openCallLog({ ...callLogSettings(loaded.config, file), flushIntervalMs: 5 });
  const gateway = new Gateway({ loaded, callLog });
  const { port } = await gateway.listen(0, host);
  return {
    port,
    async codeOf(connectTo: string): Promise<{ status: number; code?: string; clientIp?: string }> {
      const { status, id } = await new Promise<{ status: number; id: string }>((resolve, reject) => {
        const r = request({ host: connectTo, port, path: '/open', family: connectTo.includes(':') ? 6 : 4 }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode!, id: String(res.headers['x-request-id']) }));
        });
        r.on('error', reject);
        r.end();
      });
      // The writer thread may take a while on a busy machine: look until the call is there.
      for (let i = 0; i < 200; i++) {
        const reader = openCallLogReader(file);
        try {
          const call = reader.get(id);
          if (call) return { status, code: call.code, clientIp: call.clientIp };
        } finally {
          reader.close();
        }
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error(`${id} is not in the call log`);
    },
    async close() {
      await gateway.close();
      await callLog.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

test('IPv6 and IPv4-mapped peers: a dual-stack listener sees ::ffff:127.0.0.1, which an IPv4 entry matches', async () => {
  const gw = await listeningOn('::', `
ip: { deny: [127.0.0.0/8] }
services: { s: { upstreams: [{ url: "${upstream.url}" }] } }
routes: [{ id: open, service: s, paths: [/open] }]
`);
  try {
    const v4 = await gw.codeOf('127.0.0.1');
    assert.equal(v4.clientIp, '::ffff:127.0.0.1');
    assert.equal(v4.code, 'ip.address_denied');
    // ::1 is not 127.0.0.1: the IPv6 loopback passes this list.
    assert.equal((await gw.codeOf('::1')).status, 200);
  } finally {
    await gw.close();
  }
  const v6 = await listeningOn('::1', `
ip: { allow: ["::1/128"] }
routes: [{ id: open, service: s, paths: [/open] }]
services: { s: { upstreams: [{ url: "${upstream.url}" }] } }
`);
  try {
    assert.equal((await v6.codeOf('::1')).status, 200);
  } finally {
    await v6.close();
  }
});
