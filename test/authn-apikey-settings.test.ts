// Settings of authn.apiKeys: a custom key header is redacted in the call log even when
// log.redactHeaders does not name it, and bearer: false stops keys being read from Authorization.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openStore } from '../src/store/index.ts';
import type { CredentialStore } from '../src/store/types.ts';
import { startGateway, startUpstream, type TestGateway, type Upstream } from './helpers/servers.ts';

let dir: string;
let store: CredentialStore;
let upstream: Upstream;
let gw: TestGateway;
let key: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pinpoint-keyset-'));
  store = openStore(join(dir, 'store.db'));
  upstream = await startUpstream();
  gw = await startGateway(
    `
tenants: { acme: {} }
consumers: { app: { tenant: acme } }
authn: { apiKeys: { header: X-Partner-Key, bearer: false } }
services: { s: { upstreams: [{ url: "${upstream.url}" }] } }
routes: [{ id: r, service: s, paths: [/r], authn: [apiKey] }]
`,
    { store },
  );
  key = (await store.createKey({ consumer: 'app', scopes: [], actor: 'test' })).key;
});
after(async () => {
  await gw.close();
  await upstream.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a key in the custom header passes, and the header is redacted in the call log', async () => {
  const res = await fetch(`${gw.url}/r`, { headers: { 'x-partner-key': key } });
  assert.equal(res.status, 200);
  const stored = (await gw.reader()).get(res.headers.get('x-request-id')!)!;
  assert.equal(stored.requestHeaders['x-partner-key'], '[redacted]');
  const file = join(gw.dir, 'calls.db');
  const bytes = Buffer.concat([file, `${file}-wal`].filter(existsSync).map((f) => readFileSync(f)));
  assert.ok(!bytes.includes(Buffer.from(key)), 'the key is not in the call log file');
});

test('with bearer: false a key in Authorization is not accepted', async () => {
  const res = await fetch(`${gw.url}/r`, { headers: { authorization: `Bearer ${key}` } });
  assert.equal(res.status, 401);
  assert.equal((await res.json()).code, 'authn.credential_malformed');
  assert.equal(upstream.seen.length, 1, 'only the request of the first test reached the upstream');
});
