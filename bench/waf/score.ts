// npm run waf:score [-- --crs <dir>] [--json]
// Detection rate on attack payloads and false-positive rate on benign requests, per paranoia level,
// for the repository's corpora (bench/corpora/waf) and, when present, the OWASP CRS regression tests.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { attackCases, ATTACK_FAMILIES, benignCases } from './corpora.ts';
import { crsCases, CRS_FAMILIES } from './crs.ts';
import { harness, LEVELS, type Harness } from './harness.ts';

export interface Rate {
  hit: number;
  total: number;
}

export interface RepoScore {
  detection: Record<string, Rate[]>;
  falsePositives: Rate[];
  /** Benign cases blocked at paranoia 1, for tuning. */
  falsePositiveLabels: string[];
}

export function scoreRepo(h: Harness = harness()): RepoScore {
  const detection: Record<string, Rate[]> = {};
  for (const family of ATTACK_FAMILIES) {
    const cases = attackCases(family);
    detection[family] = LEVELS.map((l) => ({ hit: cases.filter((c) => h.run(c.req, l).blocked).length, total: cases.length }));
  }
  const benign = benignCases();
  const falsePositives = LEVELS.map((l) => ({ hit: benign.filter((c) => h.run(c.req, l).blocked).length, total: benign.length }));
  const falsePositiveLabels = benign.filter((c) => h.run(c.req, 1).blocked).map((c) => `${c.label} [${h.run(c.req, 1).rules.join(',')}]`);
  return { detection, falsePositives, falsePositiveLabels };
}

export interface CrsScore {
  /** Per CRS group (942): detection on expect cases, false positives on no_expect cases, per level. */
  groups: Record<string, { family: string; detection: Rate[]; falsePositives: Rate[] }>;
}

/** A case counts as caught when the rules of its family alone reach the blocking threshold (5). */
export function scoreCrs(root: string, h: Harness = harness()): CrsScore {
  const groups: CrsScore['groups'] = {};
  for (const c of crsCases(root)) {
    const g = (groups[c.group] ??= { family: c.family, detection: LEVELS.map(() => ({ hit: 0, total: 0 })), falsePositives: LEVELS.map(() => ({ hit: 0, total: 0 })) });
    LEVELS.forEach((l, i) => {
      const caught = (h.run(c.req, l).families[c.family] ?? 0) >= 5;
      const rate = c.attack ? g.detection[i] : g.falsePositives[i];
      rate.total++;
      if (caught) rate.hit++;
    });
  }
  return { groups };
}

const pct = (r: Rate) => (r.total ? `${((100 * r.hit) / r.total).toFixed(1)}% (${r.hit}/${r.total})` : 'n/a');

function main(): void {
  const { values } = parseArgs({ options: { crs: { type: 'string' }, json: { type: 'boolean', default: false }, 'show-fp': { type: 'boolean', default: false } } });
  const here = fileURLToPath(new URL('.', import.meta.url));
  const crsRoot = values.crs ?? join(here, '..', '..', '..', 'shared', 'corpora', 'crs-regression-v4.28.0');
  const h = harness();
  const repo = scoreRepo(h);
  const crs = existsSync(crsRoot) ? scoreCrs(crsRoot, h) : undefined;
  if (values.json) {
    console.log(JSON.stringify({ repo, crs }, null, 2));
    return;
  }
  console.log('Repository corpora (bench/corpora/waf): share of requests blocked\n');
  console.log(`| corpus | ${LEVELS.map((l) => `PL${l}`).join(' | ')} |\n|---|${LEVELS.map(() => '---').join('|')}|`);
  for (const [family, rates] of Object.entries(repo.detection)) console.log(`| attacks: ${family} | ${rates.map(pct).join(' | ')} |`);
  console.log(`| benign (false positives) | ${repo.falsePositives.map(pct).join(' | ')} |`);
  if (values['show-fp']) for (const l of repo.falsePositiveLabels) console.log(`  FP at PL1: ${l}`);
  if (!crs) {
    console.log(`\nCRS regression corpus not found at ${crsRoot} (pass --crs <dir>): skipped.`);
    return;
  }
  console.log(`\nOWASP CRS regression tests (${crsRoot}): a case is caught when rules of its family alone reach score 5\n`);
  console.log(`| CRS group | our family | detection ${LEVELS.map((l) => `PL${l}`).join(' / ')} | false positives ${LEVELS.map((l) => `PL${l}`).join(' / ')} |\n|---|---|---|---|`);
  for (const [group, g] of Object.entries(crs.groups).sort()) {
    console.log(`| ${group} | ${g.family} | ${g.detection.map(pct).join(' / ')} | ${g.falsePositives.map(pct).join(' / ')} |`);
  }
  void CRS_FAMILIES;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
