// Prompt templates as REST endpoints, and spend budgets, end to end: a real gateway, real keys,
// the fake OpenAI provider.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { openaiRefusal, startAiWorld, type AiWorld } from './gateway-world.ts';

const TEMPLATE_ROUTE = `
  - id: summarize
    serve: ai
    paths: [/summaries]
    methods: [POST]
    authn: [apiKey]
    ai:
      template:
        version: "2"
        model: gpt
        system: You summarise for {{audience}}.
        prompt: "Summarise: {{text}}"
        variables:
          type: object
          required: [text, audience]
          additionalProperties: false
          properties:
            text: { type: string, maxLength: 5000 }
            audience: { type: string, enum: [engineers, managers] }
        output:
          mode: json
          schema: { type: object, required: [summary], properties: { summary: { type: string } } }
  - { id: tiny, serve: ai, paths: [/tiny/v1/chat/completions], methods: [POST], authn: [apiKey], ai: { api: openai, budgets: [tiny] } }
`;

let w: AiWorld;
let key: string;

before(async () => {
  w = await startAiWorld(TEMPLATE_ROUTE);
  key = await w.key();
});
after(() => w.close());

const post = (body: unknown, k = key) =>
  fetch(w.gw.url + '/summaries', { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': k }, body: JSON.stringify(body) });

describe('prompt templates', () => {
  test('the variables fill the template; the JSON output is checked and returned with the template version, which the log keeps', async () => {
    w.openai.enqueue({ text: '{"summary":"Short."}' });
    const res = await post({ text: 'A long text.', audience: 'managers' });
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.deepEqual(body.output, { summary: 'Short.' });
    assert.deepEqual(body.template, { route: 'summarize', version: '2' });
    const sent = w.openai.calls.at(-1)!.body as { messages: { role: string; content: string }[]; response_format?: { type: string } };
    assert.equal(sent.messages[0].content, 'You summarise for managers.');
    assert.equal(sent.messages[1].content, 'Summarise: A long text.');
    assert.equal(sent.response_format?.type, 'json_schema');
    const call = await w.logged(res);
    assert.deepEqual(call.ai?.template, { route: 'summarize', version: '2' });
  });

  test('a missing or invalid variable: 422 ai.template_invalid pointing at each field, and no provider call', async () => {
    const calls = w.openai.calls.length;
    const res = await post({ text: 42, audience: 'children' });
    assert.equal(res.status, 422);
    assert.match(res.headers.get('content-type')!, /problem\+json/);
    const body = await res.json();
    assert.equal(body.code, 'ai.template_invalid');
    const pointers = JSON.stringify(body);
    assert.match(pointers, /\/text/);
    assert.match(pointers, /\/audience/);
    assert.equal(w.openai.calls.length, calls);
  });

  test('output that does not match the schema: 502 ai.output_invalid, logged with the call', async () => {
    w.openai.enqueue({ text: 'Sorry, I cannot answer in JSON.' });
    const res = await post({ text: 'x', audience: 'engineers' });
    assert.equal(res.status, 502);
    const body = await res.json();
    assert.equal(body.code, 'ai.output_invalid');
    assert.equal((await w.logged(res)).code, 'ai.output_invalid');
  });
});

describe('spend budgets', () => {
  test('the tenant spend budget: calls pass until the month is spent, then 403 ai.budget_exhausted says which budget, the limit, the use and when it resets', async () => {
    // Each call of 2M input tokens at gpt-4o-mini's price costs $0.30 of the tenant's $1 a month.
    const client = (k: string) => new OpenAI({ apiKey: k, baseURL: w.gw.url + '/v1', maxRetries: 0 });
    const call = () => ({ model: 'gpt', messages: [{ role: 'user' as const, content: 'spend' }], max_tokens: 10 });
    for (let i = 0; i < 4; i++) {
      w.openai.enqueue({ usage: { input: 2_000_000, output: 10 } });
      // A fresh key each time: the key's token budget is not what this test is about.
      await client(await w.key('acme-two')).chat.completions.create(call());
    }
    let refused: InstanceType<typeof OpenAI.APIError> | undefined;
    try {
      await client(await w.key('acme-two')).chat.completions.create(call());
    } catch (err) {
      refused = err as InstanceType<typeof OpenAI.APIError>;
    }
    assert.ok(refused instanceof OpenAI.PermissionDeniedError, String(refused));
    assert.equal(refused.code, 'ai.budget_exhausted');
    const details = JSON.stringify(refused.error);
    assert.match(details, /team-spend/);
    assert.match(details, /resets_at/);
    // Another tenant's spend is its own.
    w.openai.enqueue({});
    const other = await client(await w.key('small-app')).chat.completions.create(call());
    assert.ok(other.choices.length);
  });
});

describe('per-minute budgets', () => {
  const tiny = (k: string) => new OpenAI({ apiKey: k, baseURL: w.gw.url + '/tiny/v1', maxRetries: 0 });
  const call = (maxTokens: number) => ({ model: 'gpt', messages: [{ role: 'user' as const, content: 'hi' }], max_tokens: maxTokens });

  test('one call larger than the whole token budget: 400 ai.call_exceeds_budget (no wait would fix it)', async () => {
    const err = await openaiRefusal(tiny(await w.key()).chat.completions.create(call(600)));
    assert.ok(err instanceof OpenAI.BadRequestError);
    assert.equal(err.code, 'ai.call_exceeds_budget');
    assert.match(err.message, /500/);
  });

  test('the request budget of the key: the third call in a minute is 429 ai.request_rate_exceeded with Retry-After', async () => {
    const k = await w.key();
    w.openai.enqueue({ usage: { input: 5, output: 5 } }, { usage: { input: 5, output: 5 } });
    await tiny(k).chat.completions.create(call(10));
    await tiny(k).chat.completions.create(call(10));
    const err = await openaiRefusal(tiny(k).chat.completions.create(call(10)));
    assert.ok(err instanceof OpenAI.RateLimitError);
    assert.equal(err.code, 'ai.request_rate_exceeded');
    assert.ok(Number(err.headers?.get('retry-after')) > 0);
  });
});
