import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { TRANSFORM_NAMES } from './transforms.ts';

/**
 * The WAF rule file format (documented in docs/waf-rules.md). Rules are data: one YAML file
 * per family under src/layers/waf/rules/, each rule with a stable id. This schema is the one
 * definition of the format; the loader refuses a file that does not follow it, naming the
 * file, the rule and the line.
 */

export const FAMILIES = ['sqli', 'xss', 'lfi', 'rce', 'protocol', 'size'] as const;
export type Family = (typeof FAMILIES)[number];

/** What a rule inspects. `args` is query.values + body.values; `args.names` the names of both. */
export const TARGET_KINDS = [
  'path',
  'query.names',
  'query.values',
  'body.names',
  'body.values',
  'args',
  'args.names',
  'headers',
  'header.names',
  'cookies.names',
  'cookies.values',
  'request',
] as const;

const Target = z.union([
  z.enum(TARGET_KINDS),
  z.string().regex(/^header:[a-z0-9-]+$/, 'a single header target is header:<lowercased name>'),
]);

/** Detectors: code for what a regular expression says badly or not at all. */
export const DETECTORS = ['sqli', 'longerThan', 'moreThan', 'nulByte', 'badUrlEncoding', 'badUtf8', 'controlChars', 'conflictingLength', 'bodyUnparsed'] as const;
export type DetectorName = (typeof DETECTORS)[number];

const Match = z.union([
  z.strictObject({ regex: z.string().min(1).describe('A JavaScript regular expression (no flags; use the lowercase transform).') }),
  z.strictObject({ phrases: z.array(z.string().min(1)).min(1).describe('Matches when the value contains any of these substrings.') }),
  z.strictObject({ words: z.array(z.string().min(1)).min(1).describe('Matches a phrase standing alone: not preceded or followed by a letter, digit or _.') }),
  z.strictObject({
    detector: z.enum(DETECTORS).describe('A detector written in code (see docs/waf-rules.md).'),
    max: z.number().int().min(0).optional().describe('Limit for longerThan (characters) and moreThan (fields).'),
  }),
]);

const RuleId = z.string().regex(/^[a-z]+-[0-9]{3}$/, 'a rule id is <family>-<three digits>, e.g. sqli-100');

export const RuleSchema = z.strictObject({
  id: RuleId.describe('Stable id; never reused for another rule.'),
  name: z.string().min(1).describe('What the rule finds, in a few words (shown to operators).'),
  paranoia: z.number().int().min(1).max(4).describe('Lowest paranoia level at which the rule runs.'),
  score: z.number().int().min(1).max(10).describe('What a match adds to the anomaly score (critical 5, error 4, warning 3, notice 2).'),
  targets: z.array(Target).min(1).describe('What the rule inspects.'),
  transforms: z.array(z.enum(TRANSFORM_NAMES)).default([]).describe('Applied in order before matching.'),
  match: Match,
  description: z.string().optional().describe('Why the rule exists; what it is known to catch by mistake.'),
  examples: z
    .strictObject({
      match: z.array(z.string()).default([]).describe('Values the rule must match (checked by a test).'),
      pass: z.array(z.string()).default([]).describe('Values it must not match (checked by a test).'),
    })
    .optional(),
});
export type Rule = z.infer<typeof RuleSchema>;

export const RuleFileSchema = z.strictObject({
  family: z.enum(FAMILIES),
  title: z.string().min(1),
  description: z.string().optional(),
  rules: z.array(RuleSchema).min(1),
});
export type RuleFile = z.infer<typeof RuleFileSchema>;

export const RULES_DIR = join(fileURLToPath(new URL('.', import.meta.url)), 'rules');

/** A rule file that does not follow the format; the message names file, rule and line. */
export class RuleFileError extends Error {}

export function parseRuleFile(text: string, file: string): RuleFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  if (doc.errors.length) throw new RuleFileError(`${file}: ${doc.errors[0].message}`);
  const parsed = RuleFileSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const node = doc.getIn(issue.path as (string | number)[], true) as { range?: [number, number] } | undefined;
    const line = node?.range ? `:${lines.linePos(node.range[0]).line}` : '';
    throw new RuleFileError(`${file}${line}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  for (const rule of parsed.data.rules) {
    if (!rule.id.startsWith(`${parsed.data.family}-`)) throw new RuleFileError(`${file}: rule ${rule.id} is in family ${parsed.data.family}; its id must start with ${parsed.data.family}-`);
  }
  return parsed.data;
}

/** Every rule file of the directory, by family, checked for duplicate ids across files. */
export function loadRuleFiles(dir: string = RULES_DIR): RuleFile[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort();
  const seen = new Map<string, string>();
  return files.map((f) => {
    const file = parseRuleFile(readFileSync(join(dir, f), 'utf8'), `src/layers/waf/rules/${f}`);
    for (const r of file.rules) {
      const other = seen.get(r.id);
      if (other) throw new RuleFileError(`src/layers/waf/rules/${f}: duplicate rule id ${r.id} (also in ${other})`);
      seen.set(r.id, f);
    }
    return file;
  });
}
