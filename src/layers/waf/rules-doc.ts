// Generates docs/waf-rules.md from the rule files: `npx tsx src/layers/waf/rules-doc.ts`.
// src/layers/waf/rules-doc.test.ts fails when the document is stale.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DETECTORS, loadRuleFiles, TARGET_KINDS, type Rule } from './rule-file.ts';
import { TRANSFORM_NAMES } from './transforms.ts';

export const DOC_FILE = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', 'docs', 'waf-rules.md');

const FORMAT = `# WAF rules

<!-- Generated from src/layers/waf/rules/*.yaml by src/layers/waf/rules-doc.ts; do not edit by hand. -->

The web application firewall (\`waf\` layer) runs the rules below. Rules are data: one YAML file per
family in \`src/layers/waf/rules/\`, read and compiled once when the gateway starts. A rule id is stable:
it is never renumbered or reused, so exclusions and decisions keep meaning the same rule.

## How a request is judged

1. The request is taken apart into **fields**, each with a name an exclusion can use:
   \`path\`, \`query.<name>\` (value and name), \`header.<name>\`, \`cookie.<name>\` (value and name), and for
   bodies \`body.<name>\` (form and multipart fields) or, for JSON, one field per string value and per key,
   named like \`body.items[2].note\` (the decision also gives its JSON pointer \`/items/2/note\`).
   Query, form and path values are percent-decoded once, as the application will see them.
2. Each rule whose paranoia level is at most the route's runs on the fields it targets, after its
   **transformations** (in order). The transformations that changed the value are recorded with the match.
3. Each rule that matched adds its **score** once (critical 5, error 4, warning 3, notice 2), whatever
   the number of fields it matched. At the route's **threshold** (default 5) the request is blocked with
   \`403 waf.blocked\`, or, in \`mode: detect\`, passes and the decision records the would-be block.
4. **Exclusions** on a route exempt a field from a rule, a family or every rule:
   \`waf: { exclusions: [{ rule: xss-100, field: "body.items[*].html" }] }\` (\`*\` matches any run of characters).

## Configuration

\`\`\`yaml
waf:                 # gateway defaults
  enabled: false     # true: inspect every route that does not say waf.enabled: false
  mode: block        # or detect
  paranoia: 1        # 1-4
  threshold: 5
  inspectBody: true
routes:
  - id: orders
    service: orders
    paths: [/orders]
    waf:             # present: this route is inspected
      paranoia: 2
      exclusions:
        - { rule: sqli-160, field: body.notes }
\`\`\`

Bodies are read (up to \`body.maxBytes\`, refused beyond with 413) only on routes whose WAF inspects
them; elsewhere they stream to the upstream untouched.

## Rule file format

\`\`\`yaml
family: sqli                 # ${'one of the families below; rule ids start with it'}
title: SQL injection
description: ...
rules:
  - id: sqli-110             # <family>-<three digits>, stable
    name: UNION SELECT       # shown to operators in decisions
    paranoia: 1              # 1-4: lowest level at which the rule runs
    score: 5                 # added to the anomaly score on a match
    targets: [args, cookies.values, header:user-agent]
    transforms: [urlDecode, htmlEntityDecode, normalize, lowercase]
    match: { regex: "\\\\bunion ?select\\\\b" }   # or { phrases: [...] }, { words: [...] }, { detector: sqli }
    description: why the rule exists and what it catches by mistake
    examples:                # checked by a test
      match: ["1 UNION SELECT 1"]
      pass: ["the union selected"]
\`\`\`

- **targets:** ${TARGET_KINDS.map((t) => `\`${t}\``).join(', ')}, or \`header:<name>\` for one header.
  \`args\` is query values and body values; \`args.names\` their names; \`request\` is the whole request
  (for framing detectors).
- **transforms:** ${TRANSFORM_NAMES.map((t) => `\`${t}\``).join(', ')}. \`urlDecode\` decodes
  repeatedly (double and triple encoding, \`%uXXXX\`, \`+\`); \`normalize\` is Unicode NFKC (fullwidth
  \`ＳＥＬＥＣＴ\` becomes \`SELECT\`); \`replaceComments\` turns SQL/C comments into a space, \`removeComments\`
  deletes them; \`cmdLine\` is ModSecurity's (deletes \`\\ " ' ^\`, spaces before \`/\` and \`(\`, lowercases).
- **match:** \`regex\` (JavaScript syntax, no flags: lowercase first), \`phrases\` (any substring),
  \`words\` (a phrase not inside a longer word), or a \`detector\` written in code:
  ${DETECTORS.map((d) => `\`${d}\``).join(', ')} (\`longerThan\` and \`moreThan\` take \`max\`).
- **No super-linear regular expressions.** Every regular expression must be judged safe by the
  \`recheck\` ReDoS checker and stay linear on 64 KiB adversarial strings (src/layers/waf/redos.test.ts);
  keep bounded repetitions small (\`{0,30}\`) and never nest quantifiers.
`;

function cell(s: string): string {
  return s.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

function ruleRow(r: Rule): string {
  const m = r.match;
  const op = 'regex' in m ? 'regex' : 'phrases' in m ? `${m.phrases.length} phrases` : 'words' in m ? `${m.words.length} words` : `detector ${m.detector}${m.max !== undefined ? ` (max ${m.max})` : ''}`;
  return `| \`${r.id}\` | ${cell(r.name)} | ${r.paranoia} | ${r.score} | ${cell(r.targets.join(', '))} | ${cell(r.transforms.join(', ') || '—')} | ${op} |`;
}

export function rulesMarkdown(): string {
  const families = loadRuleFiles();
  const sections = families.map((f) => {
    const notes = f.rules
      .filter((r) => r.description)
      .map((r) => `- \`${r.id}\`: ${r.description!.trim()}`)
      .join('\n');
    return `### ${f.family}: ${f.title}

${f.description ?? ''}

| id | name | paranoia | score | targets | transforms | match |
|---|---|---|---|---|---|---|
${f.rules.map(ruleRow).join('\n')}
${notes ? `\n${notes}\n` : ''}`;
  });
  return `${FORMAT}
## Rules

${sections.join('\n')}`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) writeFileSync(DOC_FILE, rulesMarkdown());
