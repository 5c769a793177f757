// Every provider type behind the gateway, each called through the official openai SDK (one
// front, seven wires): a whole answer and a stream, the provider's usage in the call log, and
// the provider's credential where that provider wants it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { openStore } from '../../src/store/index.ts';
import type { CredentialStore } from '../../src/store/types.ts';
import { startGateway, type TestGateway } from '../helpers/servers.ts';
import { startAnthropicFake } from './fakes/anthropic.ts';
import { startBedrockFake } from './fakes/bedrock.ts';
import { startGeminiFake } from './fakes/gemini.ts';
import { startOllamaFake } from './fakes/ollama.ts';
import { startOpenAIFake } from './fakes/openai.ts';
import type { FakeServer } from './fakes/server.ts';

const SECRET = 'provider-secret-0123456789';
const AWS = { accessKeyId: 'AKIAFAKEFAKEFAKE', secretAccessKey: 'aws-secret-0123456789' };

interface Case {
  type: string;
  start(): Promise<FakeServer>;
  /** The provider's section of the config (baseUrl filled in). */
  provider(url: string): string;
  /** Where the provider wants its credential. */
  credential(headers: Record<string, string | string[] | undefined>): boolean;
}

const CASES: Case[] = [
  { type: 'openai', start: () => startOpenAIFake({ apiKey: SECRET }), provider: (u) => `{ type: openai, baseUrl: "${u}", credentials: { apiKey: { env: T_SECRET } } }`, credential: (h) => h.authorization === `Bearer ${SECRET}` },
  { type: 'azure-openai', start: () => startOpenAIFake({ azure: true, apiKey: SECRET }), provider: (u) => `{ type: azure-openai, baseUrl: "${u}", credentials: { apiKey: { env: T_SECRET } } }`, credential: (h) => h['api-key'] === SECRET },
  { type: 'openai-compatible', start: () => startOpenAIFake({ compatible: {}, apiKey: SECRET }), provider: (u) => `{ type: openai-compatible, baseUrl: "${u}", credentials: { apiKey: { env: T_SECRET } } }`, credential: (h) => h.authorization === `Bearer ${SECRET}` },
  { type: 'ollama', start: () => startOllamaFake(), provider: (u) => `{ type: ollama, baseUrl: "${u}" }`, credential: (h) => h.authorization === undefined },
  { type: 'anthropic', start: () => startAnthropicFake({ apiKey: SECRET }), provider: (u) => `{ type: anthropic, baseUrl: "${u}", credentials: { apiKey: { env: T_SECRET } } }`, credential: (h) => h['x-api-key'] === SECRET },
  { type: 'gemini', start: () => startGeminiFake({ apiKey: SECRET }), provider: (u) => `{ type: gemini, baseUrl: "${u}", credentials: { apiKey: { env: T_SECRET } } }`, credential: (h) => h['x-goog-api-key'] === SECRET },
  {
    type: 'bedrock',
    start: () => startBedrockFake({ credentials: AWS, region: 'eu-west-1' }),
    provider: (u) => `{ type: bedrock, baseUrl: "${u}", options: { region: eu-west-1 }, credentials: { accessKeyId: { env: T_AWS_ID }, secretAccessKey: { env: T_AWS_SECRET } } }`,
    credential: (h) => String(h.authorization).startsWith(`AWS4-HMAC-SHA256 Credential=${AWS.accessKeyId}/`),
  },
];

let dir: string;
let store: CredentialStore;
let gw: TestGateway;
let client: OpenAI;
const fakes = new Map<string, FakeServer>();

before(async () => {
  Object.assign(process.env, { T_SECRET: SECRET, T_AWS_ID: AWS.accessKeyId, T_AWS_SECRET: AWS.secretAccessKey });
  for (const c of CASES) fakes.set(c.type, await c.start());
  const providers = CASES.map((c) => `    ${c.type}: ${c.provider(fakes.get(c.type)!.url)}`).join('\n');
  const models = CASES.map((c) => `    via-${c.type}: { targets: [{ provider: ${c.type}, model: some-model }] }`).join('\n');
  dir = mkdtempSync(join(tmpdir(), 'pinpoint-ai-providers-'));
  store = openStore(join(dir, 'store.db'));
  gw = await startGateway(
    `
tenants: { t: {} }
consumers: { app: { tenant: t } }
ai:
  providers:
${providers}
  models:
${models}
routes:
  - { id: ai, serve: ai, paths: [/v1/chat/completions], authn: [apiKey], ai: { api: openai } }
`,
    { store },
  );
  client = new OpenAI({ apiKey: (await store.createKey({ consumer: 'app', scopes: [], actor: 'test' })).key, baseURL: gw.url + '/v1', maxRetries: 0 });
});

after(async () => {
  await gw.close();
  await Promise.all([...fakes.values()].map((f) => f.close()));
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

for (const c of CASES) {
  test(`${c.type}: a whole answer and a stream through the OpenAI API, with the provider's usage and credential`, async () => {
    const fake = fakes.get(c.type)!;
    fake.enqueue({ text: `Whole from ${c.type}.`, usage: { input: 11, output: 4 } }, { text: `Streamed from ${c.type}.`, usage: { input: 12, output: 5 } });
    const ask = { model: `via-${c.type}`, max_tokens: 30, messages: [{ role: 'system' as const, content: 'Be brief.' }, { role: 'user' as const, content: 'Hello?' }] };
    const { data, response } = await client.chat.completions.create(ask).withResponse();
    assert.equal(data.choices[0].message.content, `Whole from ${c.type}.`);
    assert.equal(data.usage?.completion_tokens, 4);
    assert.ok(c.credential(fake.calls.at(-1)!.headers), JSON.stringify(fake.calls.at(-1)!.headers));

    const stream = await client.chat.completions.create({ ...ask, stream: true, stream_options: { include_usage: true } });
    let text = '';
    let output: number | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.usage) output = chunk.usage.completion_tokens;
    }
    assert.equal(text, `Streamed from ${c.type}.`);
    assert.equal(output, 5);
    const reader = await gw.reader();
    const logged = reader.get(response.headers.get('x-request-id')!);
    assert.equal(logged?.ai?.provider, c.type);
    assert.equal(logged?.ai?.usage?.outputTokens, 4);
    assert.ok(!JSON.stringify(logged).includes(SECRET) && !JSON.stringify(logged).includes(AWS.secretAccessKey));
  });
}
