// The AI section of the config: the example validates; validate notes what is not an error
// (secrets not set, models without a price); cross-references and templates are errors at
// their line.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aiNotes } from '../../src/ai/notes.ts';
import { validateFile } from '../../src/cli/actions/validate.ts';
import { ConfigError, loadConfigText } from '../../src/config/load.ts';

test('examples/ai validates; with its secrets set, validate has nothing to note', () => {
  const report = validateFile('examples/ai/pinpoint.yaml', { OPENAI_API_KEY: 'sk-x', ANTHROPIC_API_KEY: 'sk-ant-y' });
  assert.equal(report.ok, true, JSON.stringify(report.errors));
  assert.equal(report.notes, undefined);
});

test('validate notes a secret that is not set and a model without a price, and still passes', () => {
  const report = validateFile('examples/ai/pinpoint.yaml', { ANTHROPIC_API_KEY: 'sk-ant-y' });
  assert.equal(report.ok, true);
  assert.deepEqual(report.notes?.map((n) => n.split(':')[0]), ['ai.providers.openai']);
  const unpriced = loadConfigText(`
ai:
  providers: { local: { type: ollama } }
  models: { m: { targets: [{ provider: local, model: my-finetune }] } }
routes:
  - { id: r, serve: ai, paths: [/v1/chat/completions], ai: { api: openai } }
`);
  assert.deepEqual(aiNotes(unpriced.config, {}), ['ai.models.m: local/my-finetune has no price (not in the price table, no price override): its calls are logged as unpriced and charge no spend budget']);
});

function issues(yaml: string): string[] {
  try {
    loadConfigText(yaml, 't.yaml');
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.issues.map((i) => `${i.line}:${i.path.join('.')} ${i.message}`);
  }
  assert.fail('the config loaded');
}

test('cross-references: an unknown provider, alias and budget; a missing credential; serve: ai without its section; an ai section elsewhere', () => {
  const found = issues(`
ai:
  providers:
    oa: { type: openai }
    aws: { type: bedrock, credentials: { accessKeyId: { env: K }, secretAccessKey: { env: S } } }
  models:
    m: { targets: [{ provider: openia, model: x }] }
services:
  s: { upstreams: [{ url: "http://127.0.0.1:1" }] }
alerts:
  webhook: { url: "http://127.0.0.1:9/hook" }
  rules:
    - { id: r1, requests: { alias: gtp, provider: nobody }, count: { ai: provider_failure }, windowS: 60, aboveCount: 1 }
routes:
  - { id: a, serve: ai, paths: [/a/chat/completions], ai: { models: [mm], budgets: [nope] } }
  - { id: b, serve: ai, paths: [/b] }
  - { id: c, service: s, paths: [/c], ai: { api: openai } }
`);
  const text = found.join('\n');
  assert.match(text, /ai\.providers\.oa\.credentials provider type openai needs credentials apiKey/);
  assert.match(text, /provider "openia" is not defined under ai\.providers \(defined: oa, aws\)/);
  assert.match(text, /model alias "mm" is not defined under ai\.models .*did you mean "m"/);
  assert.match(text, /budget "nope" is not defined/);
  assert.match(text, /ai\.providers\.aws\.options provider type bedrock needs options\.region/);
  assert.match(text, /routes\.1\.serve serve: ai needs an ai: section/);
  assert.match(text, /routes\.2\.ai an ai: section needs serve: ai/);
  assert.match(text, /alerts\.rules\.0\.requests\.alias model alias "gtp" is not defined/);
  assert.match(text, /alerts\.rules\.0\.requests\.provider provider "nobody" is not defined/);
});

test('a template whose placeholder names no variable is an error at its line', () => {
  const found = issues(`
ai:
  providers: { o: { type: ollama } }
  models: { m: { targets: [{ provider: o, model: x }] } }
routes:
  - id: t
    serve: ai
    paths: [/t]
    ai:
      template:
        version: "1"
        model: m
        prompt: "Hello {{nmae}}"
        variables: { type: object, properties: { name: { type: string } } }
`);
  assert.equal(found.length, 1, found.join('\n'));
  assert.match(found[0], /^13:routes\.0\.ai\.template\.prompt .*nmae/);
});
