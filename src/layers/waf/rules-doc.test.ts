import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { loadRuleFiles } from './rule-file.ts';
import { DOC_FILE, rulesMarkdown } from './rules-doc.ts';

test('docs/waf-rules.md is generated from the rule files and names every rule id', () => {
  const doc = readFileSync(DOC_FILE, 'utf8');
  assert.equal(doc, rulesMarkdown(), 'docs/waf-rules.md is stale: run npx tsx src/layers/waf/rules-doc.ts');
  for (const f of loadRuleFiles()) for (const r of f.rules) assert.ok(doc.includes(`| \`${r.id}\` |`), r.id);
});
