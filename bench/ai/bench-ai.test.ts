// The AI bench's own parts, against the real fake provider (in this process): its configs
// load, its stream client times good streams and refuses broken ones, and its chat load ends
// without cutting a call. Run: npx tsx --test bench/ai/bench-ai.test.ts
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadConfigFile } from '../../src/config/load.ts';
import { startOpenAIFake } from '../../test/ai/fakes/openai.ts';
import type { FakeServer } from '../../test/ai/fakes/server.ts';
import { runChatLoad } from './chat-load.ts';
import { PROVIDER_KEY, PROVIDER_KEY_ENV, writeAiGatewayConfig } from './config.ts';
import { streamTarget, timeStream } from './ttft.ts';
import { answerText } from './workload.ts';

let fake: FakeServer;
let dir: string;
before(async () => {
  fake = await startOpenAIFake();
  dir = mkdtempSync(join(tmpdir(), 'pinpoint-bench-ai-test-'));
});
after(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the configs of the three route kinds load, with the AI route and the plain route on the chat path', () => {
  process.env[PROVIDER_KEY_ENV] = PROVIDER_KEY;
  for (const kind of ['ai', 'ai-apikey', 'proxy'] as const) {
    const { config } = loadConfigFile(writeAiGatewayConfig(dir, kind, kind, fake.origin));
    const route = config.routes[0];
    assert.deepEqual(route.paths, ['/v1/chat/completions']);
    assert.equal(route.serve, kind === 'proxy' ? undefined : 'ai');
    assert.deepEqual(route.authn, kind === 'ai-apikey' ? ['apiKey'] : undefined);
  }
});

test('a stream of the expected text is timed: first content before its end', async () => {
  fake.defaultScript = { text: answerText(10), firstByteDelayMs: 20 };
  const t = streamTarget('fake', fake.origin, 1);
  try {
    const timing = await timeStream(t, answerText(10));
    assert.ok(timing.ttftMs >= 20, `ttft ${timing.ttftMs} ms includes the fake's 20 ms wait`);
    assert.ok(timing.totalMs >= timing.ttftMs);
  } finally {
    await t.pool.close();
  }
});

test('a stream with other text, or cut before [DONE], is an error, not a timing', async () => {
  const t = streamTarget('fake', fake.origin, 1);
  try {
    fake.defaultScript = { text: 'something else' };
    await assert.rejects(timeStream(t, answerText(10)), /not the fake's answer/);
    fake.defaultScript = { text: answerText(10), cutAfterChunks: 10 };
    await assert.rejects(timeStream(t, answerText(10)));
  } finally {
    await t.pool.close();
  }
});

test('a chat load run ends without cutting a call: the fake answered every call it received', async () => {
  fake.defaultScript = { text: answerText(10), firstByteDelayMs: 5 };
  const before = fake.calls.length;
  const r = await runChatLoad(fake.origin, { duration: 1, connections: 4 }, {});
  assert.equal(r.cut, false);
  assert.equal(r.errors, 0);
  assert.equal(r.non2xx, 0);
  assert.ok(r.requests > 4, `${r.requests} requests`);
  assert.equal(fake.calls.length - before, r.requests);
  assert.ok(r.seconds >= 1 && r.seconds < 2, `${r.seconds} s`);
});
