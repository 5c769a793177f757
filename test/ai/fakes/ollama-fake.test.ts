/** The Ollama fake's wire as Ollama's own clients see it (there is no official Node SDK installed to prove it with). */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { startOllamaFake } from './ollama.ts';
import type { FakeServer } from './server.ts';

describe('Ollama fake', () => {
  let fake: FakeServer;
  before(async () => {
    fake = await startOllamaFake();
  });
  after(() => fake.close());

  const post = (path: string, body: unknown) => request(`${fake.url}${path}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

  test('GET / and /api/tags answer like a running Ollama', async () => {
    assert.equal(await (await request(`${fake.url}/`)).body.text(), 'Ollama is running');
    assert.deepEqual(await (await request(`${fake.url}/api/tags`)).body.json(), { models: [] });
  });

  test('chat without `stream` streams NDJSON (Ollama\'s default): every line JSON, the last done with the counts', async () => {
    fake.enqueue({ text: 'abcdef', usage: { input: 4, output: 2 } });
    const res = await post('/api/chat', { model: 'llama3.2', messages: [{ role: 'user', content: 'x' }] });
    assert.equal(res.headers['content-type'], 'application/x-ndjson');
    const lines = (await res.body.text()).split('\n');
    assert.equal(lines.pop(), '', 'every line ends with a newline');
    const objects = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(objects.slice(0, -1).map((o) => [o.done, (o.message as { content: string }).content]), [[false, 'abcd'], [false, 'ef']]);
    const last = objects.at(-1)!;
    assert.deepEqual([last.done, last.done_reason, last.prompt_eval_count, last.eval_count], [true, 'stop', 4, 2]);
  });

  test('chat with stream false: one object', async () => {
    const res = await post('/api/chat', { model: 'llama3.2', messages: [], stream: false });
    const body = (await res.body.json()) as Record<string, unknown>;
    assert.deepEqual([body.done, (body.message as { content: string }).content], [true, 'Hello from Ollama.']);
  });

  test('no model is 400 and an unknown path 404, in Ollama\'s error shape', async () => {
    const noModel = await post('/api/chat', { messages: [] });
    assert.deepEqual([noModel.statusCode, await noModel.body.json()], [400, { error: 'model is required' }]);
    const unknown = await post('/api/generate-nothing', {});
    assert.deepEqual([unknown.statusCode, await unknown.body.json()], [404, { error: '404 page not found' }]);
  });
});
