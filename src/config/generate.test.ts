import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { configJsonSchema, generatedFiles, GENERATED_BY, repoRoot } from './generate.ts';
import { loadConfigFile } from './load.ts';

test('the committed schema and reference are what the schema generates (run `npm run schema`)', () => {
  for (const file of generatedFiles()) {
    let committed = '';
    try {
      committed = readFileSync(join(repoRoot, file.path), 'utf8');
    } catch {
      assert.fail(`${file.path} is missing; run npm run schema`);
    }
    assert.ok(committed === file.text, `${file.path} is out of date with src/config/schema.ts; run npm run schema`);
  }
});

test('generated files say they are generated, and by what, at their top', () => {
  const [json, md] = generatedFiles();
  assert.equal(Object.keys(JSON.parse(json.text))[0], '$comment');
  assert.equal(JSON.parse(json.text).$comment, GENERATED_BY);
  assert.equal(md.text.split('\n')[0], `<!-- ${GENERATED_BY} -->`);
});

type Node = { description?: string; properties?: Record<string, Node>; items?: Node; additionalProperties?: Node | boolean };

test('every field of the schema has a description and a row in the reference', () => {
  const reference = generatedFiles()[1].text;
  const missing: string[] = [];
  const visit = (node: Node, path: string) => {
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      const p = path ? `${path}.${key}` : key;
      if (!child.description) missing.push(`${p}: no description`);
      if (!reference.includes(`| \`${p}\` |`)) missing.push(`${p}: no row in docs/config.md`);
      visit(child, p);
      if (child.items?.properties) visit(child.items, `${p}[]`);
      if (typeof child.additionalProperties === 'object') visit(child.additionalProperties, `${p}.<name>`);
    }
  };
  visit(configJsonSchema() as Node, '');
  assert.deepEqual(missing, []);
});

test('the JSON Schema is draft-07 (what the YAML language server checks), strict, with defaults', () => {
  const s = configJsonSchema() as { $schema: string; additionalProperties: boolean; properties: Record<string, Node & { default?: unknown }> };
  assert.equal(s.$schema, 'http://json-schema.org/draft-07/schema#');
  assert.equal(s.additionalProperties, false);
  const listen = s.properties.gateway.properties!.listen as Node & { properties: Record<string, { default?: unknown; maximum?: number }> };
  assert.equal(listen.properties.port.default, 8080);
  assert.equal(listen.properties.port.maximum, 65535);
  assert.ok(!JSON.stringify(s).includes('starts_with'), 'no format unknown to validators');
});

test('the quickstart example config is valid', () => {
  const loaded = loadConfigFile(join(repoRoot, 'examples/quickstart/pinpoint.yaml'), { env: {} });
  assert.ok(loaded.config.routes.length > 0);
});
