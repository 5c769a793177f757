// A real gateway serving AI routes in front of fake providers (test/ai/fakes), with API keys
// in a real credential store: what the end-to-end AI tests share.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import OpenAI from 'openai';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoredCall } from '../../src/calllog/types.ts';
import { createLimitsDeps, type OwnedLimitsDeps } from '../../src/layers/limits/deps.ts';
import { openStore } from '../../src/store/index.ts';
import type { CredentialStore } from '../../src/store/types.ts';
import { loggedCall, startGateway, type TestGateway } from '../helpers/servers.ts';
import { startAnthropicFake } from './fakes/anthropic.ts';
import { startOpenAIFake } from './fakes/openai.ts';
import type { FakeServer } from './fakes/server.ts';

/** The providers' own keys: the tests prove they never reach a client or the log. */
export const OPENAI_SECRET = 'sk-provider-openai-0123456789abcdef';
export const ANTHROPIC_SECRET = 'sk-ant-provider-0123456789abcdef';

export interface AiWorld {
  gw: TestGateway;
  openai: FakeServer;
  /** A second OpenAI account, the fallback of alias "gpt". */
  backup: FakeServer;
  anthropic: FakeServer;
  store: CredentialStore;
  /** Moves the budget clock. */
  clock: { now: number };
  key(consumer?: string, scopes?: string[]): Promise<string>;
  logged(res: { headers: { get(name: string): string | null } } | string): Promise<StoredCall>;
  close(): Promise<void>;
}

export const AI_YAML = (openai: string, backup: string, anthropic: string, extra = '') => `
tenants:
  acme: {}
  small: { aiModels: [gpt] }
consumers:
  acme-app: { tenant: acme }
  acme-two: { tenant: acme }
  small-app: { tenant: small }
ai:
  providers:
    openai: { type: openai, baseUrl: "${openai}", credentials: { apiKey: { env: PINPOINT_TEST_OPENAI_KEY } } }
    backup: { type: openai, baseUrl: "${backup}", credentials: { apiKey: { env: PINPOINT_TEST_OPENAI_KEY } } }
    claude: { type: anthropic, baseUrl: "${anthropic}", credentials: { apiKey: { env: PINPOINT_TEST_ANTHROPIC_KEY } } }
  models:
    gpt:
      targets: [{ provider: openai, model: gpt-4o-mini }]
      fallbacks: [{ provider: backup, model: gpt-4o-mini, on: [rate_limited, server_error] }]
      contextWindow: 2000
      maxOutputTokens: 1000
    # The same as gpt, for the tests of failures (a target that keeps failing is ejected for a while).
    gpt-fb:
      targets: [{ provider: openai, model: gpt-4o-mini }]
      fallbacks: [{ provider: backup, model: gpt-4o-mini, on: [rate_limited, server_error] }]
    gpt-cut:
      targets: [{ provider: openai, model: gpt-4o-mini }]
      fallbacks: [{ provider: backup, model: gpt-4o-mini, on: [rate_limited, server_error] }]
    claude:
      targets: [{ provider: claude, model: claude-sonnet-4-5 }]
    embed:
      targets: [{ provider: openai, model: text-embedding-3-small }]
      embeddings: true
  budgets:
    key-tokens: { key: key, tokensPerMinute: 3000 }
    team-spend: { key: tenant, spend: { limitUsd: 1, period: month } }
    tiny: { key: key, requestsPerMinute: 2, tokensPerMinute: 500 }
routes:
  - id: openai-api
    serve: ai
    paths: [/v1/chat/completions, /v1/embeddings, /v1/responses]
    methods: [POST]
    authn: [apiKey]
    ai: { api: openai, budgets: [key-tokens, team-spend] }
  - id: anthropic-api
    serve: ai
    paths: [/anthropic/v1/messages]
    methods: [POST]
    authn: [apiKey]
    ai: { api: anthropic, models: [claude, gpt] }
${extra}`;

export async function startAiWorld(extraRoutes = ''): Promise<AiWorld> {
  process.env.PINPOINT_TEST_OPENAI_KEY = OPENAI_SECRET;
  process.env.PINPOINT_TEST_ANTHROPIC_KEY = ANTHROPIC_SECRET;
  const dir = mkdtempSync(join(tmpdir(), 'pinpoint-ai-'));
  const store = openStore(join(dir, 'store.db'));
  const openai = await startOpenAIFake({ apiKey: OPENAI_SECRET });
  const backup = await startOpenAIFake({ apiKey: OPENAI_SECRET });
  const anthropic = await startAnthropicFake({ apiKey: ANTHROPIC_SECRET });
  const clock = { now: Date.UTC(2031, 0, 10, 12) };
  const limits: OwnedLimitsDeps = createLimitsDeps({ clock: () => clock.now, report: () => {} });
  const gw = await startGateway(AI_YAML(openai.url, backup.url, anthropic.url, extraRoutes), { store, limits });
  return {
    gw,
    openai,
    backup,
    anthropic,
    store,
    clock,
    async key(consumer = 'acme-app', scopes = []) {
      return (await store.createKey({ consumer, scopes, actor: 'test' })).key;
    },
    logged: (res) => loggedCall(gw, typeof res === 'string' ? res : res.headers.get('x-request-id')!),
    async close() {
      await gw.close();
      await Promise.all([openai.close(), backup.close(), anthropic.close()]);
      await store.close();
      await limits.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The SDK error a refused call raised (fails the test when the call was not refused). */
export async function openaiRefusal(p: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof OpenAI.APIError, String(err));
    return err;
  }
  assert.fail('the call was not refused');
}
