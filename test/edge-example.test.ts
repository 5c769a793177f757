// examples/edge: every row of the table in its README, sent to a gateway running that config
// (its upstream pointed at a loopback echo server, its files in a temp folder).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openCallLogReader } from '../src/calllog/index.ts';
import { startPinpoint, type Running } from '../src/server/start.ts';
import { startUpstream, type Upstream } from './helpers/servers.ts';

let dir: string;
let running: Running;
let upstream: Upstream;
let url: string;
let reader: ReturnType<typeof openCallLogReader> | undefined;
let session = '';
let token = '';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pinpoint-edge-example-'));
  upstream = await startUpstream();
  const text = readFileSync(new URL('../examples/edge/pinpoint.yaml', import.meta.url), 'utf8').replace('http://127.0.0.1:9090', upstream.url);
  writeFileSync(join(dir, 'pinpoint.yaml'), text);
  process.env.PINPOINT_SESSION_SECRET ??= 'the example session secret, at least 32 characters';
  running = await startPinpoint({ configPath: join(dir, 'pinpoint.yaml'), port: 0, watch: false, report: () => {} });
  url = `http://127.0.0.1:${running.gatewayAddress.port}`;
  await running.store.setPassword('alice', 'alice password', 'example');
  const login = await fetch(`${url}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'alice', password: 'alice password' }) });
  assert.equal(login.status, 200);
  session = login.headers.getSetCookie().find((c) => c.startsWith('pp_session='))!.split(';')[0];
  token = login.headers.get('x-csrf-token')!;
});
after(async () => {
  reader?.close();
  await running.close();
  await upstream.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Row {
  what: string;
  method: string;
  path: string;
  headers?: () => Record<string, string>;
  body?: string;
  status: number;
  /** The code the caller sees; `logged` is the one in the call log when it differs. */
  code?: string;
  logged?: string;
  /** A later layer that would refuse too (the decision's alsoWouldDeny). */
  also?: string;
  hint?: RegExp;
  /** The rule of the decision, as the README quotes it. */
  rule?: string;
}

const JSON_TYPE = { 'content-type': 'application/json' };

/** The table of examples/edge/README.md, row by row. */
const ROWS: Row[] = [
  { what: 'a valid order', method: 'POST', path: '/orders', headers: () => JSON_TYPE, body: '{"sku":"ABC-1","qty":2}', status: 200 },
  { what: 'the order as text/plain', method: 'POST', path: '/orders', headers: () => ({ 'content-type': 'text/plain' }), body: '{"sku":"ABC-1","qty":2}', status: 415, code: 'body.media_type_unsupported' },
  { what: 'a trailing comma', method: 'POST', path: '/orders', headers: () => JSON_TYPE, body: '{"sku":"ABC-1","qty":2,}', status: 400, code: 'body.json_invalid', hint: /at line 1, column 24/ },
  { what: 'a bad sku and qty 0', method: 'POST', path: '/orders', headers: () => JSON_TYPE, body: '{"sku":"abc","qty":0}', status: 400, code: 'body.schema_invalid' },
  { what: 'from a denied network, via the proxy', method: 'POST', path: '/orders', headers: () => ({ ...JSON_TYPE, 'x-forwarded-for': '192.0.2.7' }), body: '{"sku":"ABC-1","qty":2}', status: 403, code: 'ip.address_refused', logged: 'ip.address_denied', rule: 'ip.deny[0]' },
  { what: 'admin stats from the office network', method: 'GET', path: '/admin/stats', headers: () => ({ 'x-forwarded-for': '10.20.3.4' }), status: 200 },
  { what: 'admin stats from elsewhere', method: 'GET', path: '/admin/stats', headers: () => ({ 'x-forwarded-for': '203.0.113.9' }), status: 403, code: 'ip.address_refused', logged: 'ip.address_not_allowed', rule: 'routes[2].ip.allow' },
  { what: 'the shop front end asks to POST JSON', method: 'OPTIONS', path: '/orders', headers: () => ({ origin: 'https://shop.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' }), status: 204 },
  { what: 'another site asks the same', method: 'OPTIONS', path: '/orders', headers: () => ({ origin: 'https://evil.example', 'access-control-request-method': 'POST' }), status: 403, code: 'cors.origin_not_allowed' },
  { what: 'the cart page posts with its token', method: 'POST', path: '/cart', headers: () => ({ cookie: `${session}; pp_csrf=${token}`, origin: url, 'x-csrf-token': token }), body: 'item=1', status: 200 },
  { what: 'the cart page forgets the token', method: 'POST', path: '/cart', headers: () => ({ cookie: `${session}; pp_csrf=${token}`, origin: url }), body: 'item=1', status: 403, code: 'csrf.token_missing' },
  { what: "another site's form, with the cookie", method: 'POST', path: '/cart', headers: () => ({ cookie: session, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }), body: 'item=1', status: 403, code: 'cors.origin_not_allowed', also: 'csrf.cross_site' },
];

async function logged(id: string) {
  for (let i = 0; i < 400; i++) {
    reader ??= openCallLogReader(running.logFile);
    const c = reader.get(id);
    if (c) return c;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${id} is not in the call log`);
}

for (const row of ROWS) {
  test(`examples/edge: ${row.what} → ${row.status}${row.code ? ` ${row.code}` : ''}`, async () => {
    const res = await fetch(url + row.path, { method: row.method, headers: row.headers?.(), body: row.body });
    assert.equal(res.status, row.status);
    const text = await res.text();
    if (row.code) assert.equal(JSON.parse(text).code, row.code);
    if (row.hint) assert.match(JSON.parse(text).hint, row.hint);
    const call = await logged(res.headers.get('x-request-id')!);
    assert.equal(call.code, row.logged ?? row.code);
    if (row.rule) assert.equal(call.decision.rule?.id, row.rule);
    if (row.also) assert.ok(call.decision.alsoWouldDeny.includes(row.also), `${row.also} in ${call.decision.alsoWouldDeny}`);
  });
}
