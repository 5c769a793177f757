// npx tsx bench/waf/snapshot.ts > before.txt   (then again after a change, and diff the two)
//
// Every decision the WAF takes on every request it is scored on (the repository's corpora, the
// OWASP CRS regression tests when present, the rule files' examples, the bench's order bodies),
// at every paranoia level with threshold 1, so that each rule that matches shows: rule, field,
// fragment and the transformations that applied. A change meant to make the engine faster and
// not different (prefilters, caches) must leave this output identical.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadRuleFiles } from '../../src/layers/waf/rule-file.ts';
import { orderBody } from '../bodies.ts';
import { attackCases, ATTACK_FAMILIES, benignCases, type Case } from './corpora.ts';
import { crsCases } from './crs.ts';
import { harness, LEVELS, request } from './harness.ts';

function exampleCases(): Case[] {
  const out: Case[] = [];
  for (const file of loadRuleFiles()) {
    for (const rule of file.rules) {
      for (const v of [...(rule.examples?.match ?? []), ...(rule.examples?.pass ?? [])]) {
        out.push({ label: `${rule.id} query: ${v}`, req: request('GET', `/x?q=${encodeURIComponent(v)}`, { 'x-note': v.replace(/[\r\n]/g, ' ') }) });
        out.push({ label: `${rule.id} body: ${v}`, req: request('POST', '/x', { 'content-type': 'application/json' }, JSON.stringify({ [v]: v, list: [v] })) });
      }
    }
  }
  return out;
}

function main(): void {
  const crsRoot = process.argv[2] ?? join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', 'shared', 'corpora', 'crs-regression-v4.28.0');
  const cases: Case[] = [
    ...ATTACK_FAMILIES.flatMap((f) => attackCases(f)),
    ...benignCases(),
    ...exampleCases(),
    ...[1, 16, 256].map((k) => ({ label: `order body ${k} KiB`, req: request('POST', '/orders', { 'content-type': 'application/json' }, orderBody(k * 1024)) })),
    ...(existsSync(crsRoot) ? crsCases(crsRoot).map((c) => ({ label: `crs ${c.id}`, req: c.req })) : []),
  ];
  const h = harness(1);
  for (const c of cases) {
    for (const level of LEVELS) {
      const d = h.denial(c.req, level);
      console.log(`${c.label.slice(0, 100)}\tPL${level}\t${d ? JSON.stringify({ detail: d.detail, evidence: d.evidence }) : 'pass'}`);
    }
  }
}

main();
