// Token counts of prompts and outputs (gpt-tokenizer, o200k_base), and their cost on a 10k-token prompt.
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import type { ChatRequest } from '../types.ts';
import { countChatTokens, countEmbeddingsTokens, countTextTokens, IMAGE_TOKENS, loadTokenizer } from './estimate.ts';

const chat = (messages: ChatRequest['messages'], extra: Partial<ChatRequest> = {}): ChatRequest => ({ model: 'm', messages, stream: false, ...extra });
const text = (role: 'system' | 'user' | 'assistant', t: string) => ({ role, parts: [{ type: 'text' as const, text: t }] });

test('text tokens are o200k_base counts; empty text is 0', () => {
  assert.equal(countTextTokens(''), 0);
  assert.equal(countTextTokens('Hello world'), 2);
  assert.equal(countTextTokens('Hello world'), loadTokenizer().encode('Hello world').length);
});

test('text that spells a special token is counted as text, never refused', () => {
  const n = countTextTokens('a <|endoftext|> b');
  assert.ok(n > 3, `counted as several ordinary tokens (${n})`);
});

test('a chat prompt: each message text plus 3 of framing, plus 3 priming the reply', () => {
  const req = chat([text('system', 'You are terse.'), text('user', 'Hello world')]);
  assert.equal(countChatTokens(req), countTextTokens('You are terse.') + countTextTokens('Hello world') + 2 * 3 + 3);
});

test('tools, tool calls, tool results, images and a JSON schema all count', () => {
  const base = chat([text('user', 'weather?')]);
  const withTools = chat(base.messages, {
    tools: [{ name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } }],
    responseFormat: { type: 'json', schema: { type: 'object', properties: { answer: { type: 'string' } } } },
  });
  assert.ok(countChatTokens(withTools) > countChatTokens(base) + 20);
  const turn = chat([
    text('user', 'weather?'),
    { role: 'assistant', parts: [{ type: 'tool_call', id: 'c1', name: 'get_weather', arguments: '{"city":"Paris"}' }] },
    { role: 'tool', parts: [{ type: 'tool_result', toolCallId: 'c1', content: '{"temp":21}' }] },
    { role: 'user', parts: [{ type: 'image', url: 'https://example.com/a.png' }] },
  ]);
  const parts = countTextTokens('weather?') + 8 + countTextTokens('get_weather') + countTextTokens('{"city":"Paris"}') + countTextTokens('{"temp":21}') + IMAGE_TOKENS;
  assert.equal(countChatTokens(turn), parts + 4 * 3 + 3);
});

test('embeddings input: the sum of each input text', () => {
  assert.equal(countEmbeddingsTokens({ model: 'e', input: ['Hello world', 'Hello world'] }), 4);
  assert.equal(countEmbeddingsTokens({ model: 'e', input: [] }), 0);
});

test('a 10k-token prompt is counted in well under the time of a model call', () => {
  const words = 'the quick brown fox jumps over the lazy dog; Grüße aus 東京, const x = (a, b) => a + b; 12345'.split(' ');
  let prompt = '';
  for (let i = 0; countTextTokens(prompt) < 10_000; i++) prompt += words.slice(i % words.length).join(' ') + '\n';
  const req = chat([text('system', 'Summarise.'), text('user', prompt)]);
  countChatTokens(req); // warm up the JIT once
  const runs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const n = countChatTokens(chat([text('system', 'Summarise.'), text('user', prompt + i)]));
    runs.push(performance.now() - t0);
    assert.ok(n >= 10_000);
  }
  runs.sort((a, b) => a - b);
  const median = runs[2];
  // Measured on the shared 2-core test machine: 3.5 ms for this text, up to about 25 ms for
  // text with no repeated words (random strings: about 1 us per token); the bound leaves
  // room for a loaded machine while catching an accidental quadratic or per-call reload.
  console.log(`# 10k-token prompt counted in ${median.toFixed(1)} ms (median of 5)`);
  assert.ok(median < 200, `median ${median.toFixed(1)} ms`);
});

test('prompt texts are counted once and then found, with the same count; the cache stays within its bound', async () => {
  const { countPromptText, promptCacheChars, PROMPT_CACHE_CHARS } = await import('./estimate.ts');
  const prompt = 'A system prompt that every call of this app sends again. '.repeat(40);
  assert.equal(countPromptText(prompt), countTextTokens(prompt));
  assert.equal(countPromptText(prompt), countTextTokens(prompt));
  // Fill past the bound with distinct texts: the oldest go, counts stay right.
  const piece = 'x'.repeat(PROMPT_CACHE_CHARS / 20);
  for (let i = 0; i < 30; i++) assert.equal(countPromptText(`${i} ${piece}`), countTextTokens(`${i} ${piece}`));
  assert.ok(promptCacheChars() <= PROMPT_CACHE_CHARS && promptCacheChars() > PROMPT_CACHE_CHARS / 2, `holds ${promptCacheChars()} characters`);
  // A text over 1/16 of the bound is counted but never kept.
  const huge = 'y '.repeat(PROMPT_CACHE_CHARS / 16);
  const before = promptCacheChars();
  assert.equal(countPromptText(huge), countTextTokens(huge));
  assert.equal(promptCacheChars(), before);
});
