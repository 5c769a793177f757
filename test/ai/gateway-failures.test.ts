// The remaining refusals of AI routes through the official openai SDK: a request budget, a call
// bigger than a whole budget, budgets whose counters cannot be reached (closed), and the
// provider side failing in each way a fallback can be configured for.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { createLimitsDeps, type OwnedLimitsDeps } from '../../src/layers/limits/deps.ts';
import { openStore } from '../../src/store/index.ts';
import type { CredentialStore } from '../../src/store/types.ts';
import { startGateway, type TestGateway } from '../helpers/servers.ts';
import { startOpenAIFake } from './fakes/openai.ts';
import { openaiRefusal } from './gateway-world.ts';
import type { FakeServer } from './fakes/server.ts';

let dir: string;
let store: CredentialStore;
let fake: FakeServer;
let gw: TestGateway;
let limits: OwnedLimitsDeps;
let closedPort: number;
let silent: Server;
let key: string;
const held: import('node:net').Socket[] = [];

/** A port where nothing listens: connect fails at once. */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

before(async () => {
  process.env.PINPOINT_TEST_OPENAI_KEY = 'sk-test-failures-0123456789';
  dir = mkdtempSync(join(tmpdir(), 'pinpoint-ai-fail-'));
  store = openStore(join(dir, 'store.db'));
  fake = await startOpenAIFake();
  closedPort = await freePort();
  // Accepts connections and never answers: the provider's first byte never comes.
  silent = createServer((socket) => held.push(socket));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const silentPort = (silent.address() as { port: number }).port;
  limits = createLimitsDeps({ report: () => {} });
  gw = await startGateway(
    `
tenants: { t: {} }
consumers: { app: { tenant: t } }
limits:
  backend: redis
  redis: { url: "redis://127.0.0.1:${closedPort}", connectTimeoutMs: 200, commandTimeoutMs: 200 }
ai:
  providers:
    good: { type: openai, baseUrl: "${fake.url}", credentials: { apiKey: { env: PINPOINT_TEST_OPENAI_KEY } } }
    gone: { type: openai, baseUrl: "http://127.0.0.1:${closedPort}/v1", credentials: { apiKey: { env: PINPOINT_TEST_OPENAI_KEY } } }
    slow: { type: openai, baseUrl: "http://127.0.0.1:${silentPort}/v1", credentials: { apiKey: { env: PINPOINT_TEST_OPENAI_KEY } }, timeouts: { firstByteMs: 300 } }
  models:
    good: { targets: [{ provider: good, model: gpt-4o-mini }] }
    gone: { targets: [{ provider: gone, model: gpt-4o-mini }] }
    slow: { targets: [{ provider: slow, model: gpt-4o-mini }] }
    rescued: { targets: [{ provider: gone, model: gpt-4o-mini }], fallbacks: [{ provider: good, model: gpt-4o-mini, on: [connect_error] }] }
    patient: { targets: [{ provider: good, model: gpt-4o-mini }] }
  budgets:
    closed: { key: key, requestsPerMinute: 100, failMode: closed }
routes:
  - { id: plain, serve: ai, paths: [/v1/chat/completions], authn: [apiKey], ai: { api: openai, models: [good, gone, slow, rescued, patient] } }
  - { id: counted, serve: ai, paths: [/counted/v1/chat/completions], authn: [apiKey], ai: { api: openai, models: [good], budgets: [closed] } }
`,
    { store, limits },
  );
  key = (await store.createKey({ consumer: 'app', scopes: [], actor: 'test' })).key;
});

after(async () => {
  await gw.close();
  await fake.close();
  for (const s of held) s.destroy();
  await new Promise((r) => silent.close(r));
  await store.close();
  await limits.close();
  rmSync(dir, { recursive: true, force: true });
});

const client = (path = '/v1') => new OpenAI({ apiKey: key, baseURL: gw.url + path, maxRetries: 0, timeout: 20_000 });
const ask = (model: string) => ({ model, messages: [{ role: 'user' as const, content: 'hi' }], max_tokens: 20 });

const refusal = openaiRefusal;

test('a provider that cannot be reached: 502 ai.provider_unreachable', async () => {
  const err = await refusal(client().chat.completions.create(ask('gone')));
  assert.equal(err.status, 502);
  assert.equal(err.code, 'ai.provider_unreachable');
});

test('a connect error with a fallback for it: answered by the fallback', async () => {
  fake.enqueue({ text: 'rescued' });
  const res = await client().chat.completions.create(ask('rescued'));
  assert.equal(res.choices[0].message.content, 'rescued');
});

test('a provider that never answers: 504 ai.provider_timeout after its firstByteMs', async () => {
  const err = await refusal(client().chat.completions.create(ask('slow')));
  assert.equal(err.status, 504);
  assert.equal(err.code, 'ai.provider_timeout');
});

test('a provider 400 about the call: 400 ai.provider_rejected with the provider\'s message, not retried', async () => {
  fake.enqueue({ status: 400, error: { message: "Invalid 'messages[0].content': string too long.", type: 'invalid_request_error' } });
  const err = await refusal(client().chat.completions.create(ask('good')));
  assert.ok(err instanceof OpenAI.BadRequestError);
  assert.equal(err.code, 'ai.provider_rejected');
  assert.match(err.message, /string too long/);
});

test('budget counters out of reach with failMode closed: 503 ai.budget_unavailable, no provider call', async () => {
  const calls = fake.calls.length;
  const err = await refusal(client('/counted/v1').chat.completions.create(ask('good')));
  assert.equal(err.status, 503);
  assert.equal(err.code, 'ai.budget_unavailable');
  assert.equal(fake.calls.length, calls);
});

test('clients that go away while the provider works do not count against it: the next call is served', async () => {
  for (let i = 0; i < 4; i++) {
    fake.enqueue({ firstByteDelayMs: 400 });
    const aborted = new AbortController();
    const pending = client().chat.completions.create(ask('patient'), { signal: aborted.signal });
    await fake.waitForCalls(fake.calls.length + 1).catch(() => {});
    aborted.abort();
    await assert.rejects(pending);
  }
  fake.enqueue({ text: 'still here' });
  const res = await client().chat.completions.create(ask('patient'));
  assert.equal(res.choices[0].message.content, 'still here');
});
