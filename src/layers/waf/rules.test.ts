import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileRule } from './compile.ts';
import { loadRuleFiles, parseRuleFile, RuleFileError } from './rule-file.ts';
import { applyChain } from './transforms.ts';

const files = loadRuleFiles();

test('every family has a rule file and every rule id is unique and stable in form', () => {
  assert.deepEqual(files.map((f) => f.family).sort(), ['lfi', 'protocol', 'rce', 'size', 'sqli', 'xss']);
  const ids = files.flatMap((f) => f.rules.map((r) => r.id));
  assert.equal(new Set(ids).size, ids.length);
  for (const f of files) for (const r of f.rules) assert.match(r.id, new RegExp(`^${f.family}-\\d{3}$`));
});

for (const file of files) {
  for (const rule of file.rules) {
    if (!rule.examples) continue;
    test(`${rule.id} (${rule.name}) matches its examples and passes its counter-examples`, () => {
      const compiled = compileRule(rule, file.family);
      for (const value of rule.examples!.match) {
        const t = applyChain(value, rule.transforms);
        assert.notEqual(compiled.test!(t.value, value), undefined, `${rule.id} should match ${JSON.stringify(value)} (transformed: ${JSON.stringify(t.value)})`);
      }
      for (const value of rule.examples!.pass) {
        const t = applyChain(value, rule.transforms);
        assert.equal(compiled.test!(t.value, undefined), undefined, `${rule.id} should not match ${JSON.stringify(value)} (transformed: ${JSON.stringify(t.value)})`);
      }
    });
  }
}

test('a rule file that breaks the format is refused with the file, the field and the line', () => {
  const bad = 'family: sqli\ntitle: t\nrules:\n  - id: sqli-900\n    name: x\n    paranoia: 7\n    score: 5\n    targets: [args]\n    match: { regex: "a" }\n';
  assert.throws(() => parseRuleFile(bad, 'rules/x.yaml'), (e: Error) => e instanceof RuleFileError && /rules\/x\.yaml:6: rules\.0\.paranoia/.test(e.message));
  const wrongFamily = bad.replace('sqli-900', 'xss-900').replace('paranoia: 7', 'paranoia: 1');
  assert.throws(() => parseRuleFile(wrongFamily, 'rules/x.yaml'), /its id must start with sqli-/);
  const badRegex = bad.replace('paranoia: 7', 'paranoia: 1').replace('regex: "a"', 'regex: "a("');
  assert.throws(() => compileRule(parseRuleFile(badRegex, 'x').rules[0], 'sqli'), /rule sqli-900: Invalid regular expression/);
});
