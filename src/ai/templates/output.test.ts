import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChatResponse, Part } from '../types.ts';
import { templateFor } from './index.ts';
import { planRoute } from './test-config.ts';

const resp = (text: string | Part[], extra: Partial<ChatResponse> = {}): ChatResponse => ({
  id: 'cmpl-1',
  model: 'provider-model-7b',
  parts: typeof text === 'string' ? [{ type: 'text', text }] : text,
  finishReason: 'stop',
  ...extra,
});

const SCHEMA = { type: 'object', additionalProperties: false, required: ['score', 'tags'], properties: { score: { type: 'number', minimum: 0, maximum: 10 }, tags: { type: 'array', items: { type: 'string' } } } };
const jsonTemplate = templateFor(planRoute({ prompt: 'Rate it', output: { mode: 'json', schema: SCHEMA } }));
const textTemplate = templateFor(planRoute({ prompt: 'Say it' }));

test('text mode: the output is the model\'s text parts joined, tool calls left out', () => {
  const cases: { parts: Part[]; want: string }[] = [
    { parts: [{ type: 'text', text: 'Hello' }], want: 'Hello' },
    { parts: [{ type: 'text', text: 'Hel' }, { type: 'tool_call', id: 'c1', name: 'f', arguments: '{}' }, { type: 'text', text: 'lo' }], want: 'Hello' },
    { parts: [], want: '' },
    // Text that looks like JSON stays text in text mode.
    { parts: [{ type: 'text', text: '```json\n{"a":1}\n```' }], want: '```json\n{"a":1}\n```' },
  ];
  for (const c of cases) assert.deepEqual(textTemplate.output(resp(c.parts)), { ok: true, value: c.want });
});

test('json mode: the model\'s text parsed (a Markdown fence tolerated) and checked against the output schema', () => {
  const value = { score: 7, tags: ['clear'] };
  const good = ['{"score":7,"tags":["clear"]}', '  {"score": 7, "tags": ["clear"]}\n', '```json\n{"score":7,"tags":["clear"]}\n```', '```\n{"score":7,"tags":["clear"]}\n```', '\n```JSON  \n{"score":7,\n "tags":["clear"]}```\n'];
  for (const text of good) assert.deepEqual(jsonTemplate.output(resp(text)), { ok: true, value }, text);

  const bad: { text: string; finish?: ChatResponse['finishReason']; message: RegExp; pointer?: string }[] = [
    { text: 'Sure! Here is the JSON: {"score": 7}', message: /^the model's output is not JSON: Unexpected token/ },
    { text: '', message: /^the model's output is empty, not JSON$/ },
    { text: '```json\n```', message: /^the model's output is empty, not JSON$/ },
    { text: '{"score": 7, "tags": [', finish: 'length', message: /^the model's output is not JSON: .*\(the answer was cut at the output token limit: raise maxOutputTokens\)$/ },
    { text: '{"score": 11, "tags": []}', message: /^the model's output does not match the output schema: \/score must be <= 10$/, pointer: '/score' },
    { text: '{"score": 1, "tags": ["a", 2]}', message: /^the model's output does not match the output schema: \/tags\/1 must be string$/, pointer: '/tags/1' },
    { text: '{"score": 1}', message: /^the model's output does not match the output schema: \/tags is required$/, pointer: '/tags' },
    { text: '{"score": 1, "tags": [], "__proto__": {}}', message: /^the model's output does not match the output schema: \/__proto__ is not allowed$/, pointer: '/__proto__' },
    { text: '[1, 2]', message: /^the model's output does not match the output schema: the output must be object$/, pointer: '' },
  ];
  for (const c of bad) {
    const out = jsonTemplate.output(resp(c.text, { finishReason: c.finish ?? 'stop' }));
    assert.equal(out.ok, false, c.text);
    if (out.ok) continue;
    assert.match(out.message, c.message, c.text);
    assert.equal(out.pointer, c.pointer, c.text);
  }
});

test('the answer body: output, the alias, the route and version, usage, finish reason and request id', () => {
  const usage = { inputTokens: 12, outputTokens: 5, cachedInputTokens: 4 };
  assert.deepEqual(jsonTemplate.answer(resp('{"score":3,"tags":[]}', { usage }), 'req_1'), { output: { score: 3, tags: [] }, model: 'fast', template: { route: 't0', version: 'v1' }, usage, finishReason: 'stop', request_id: 'req_1' });
  // Key order is part of the contract people read: output first, request id last.
  const body = textTemplate.answer(resp('Hi', { finishReason: 'length' }), 'req_2');
  assert.deepEqual(Object.keys(body), ['output', 'model', 'template', 'finishReason', 'request_id']);
  assert.equal(body.output, 'Hi');
  assert.equal(body.finishReason, 'length');
  // An unusable output is not an answer: the serving step checks output() and answers 502 ai.output_invalid.
  assert.throws(() => jsonTemplate.answer(resp('{"score": "high", "tags": []}'), 'req_3'), /route t0: answer\(\) of an unusable output \(the model's output does not match the output schema: \/score must be number\)/);
});
