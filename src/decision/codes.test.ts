// docs/errors.md and the code tables, held in step both ways. Adding a code means adding a
// `## <code>` section to docs/errors.md: a status/layer table row and a **Title:** line.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ADMIN_ERRORS } from '../admin/errors.ts';
import { loadConfigText } from '../config/load.ts';
import { UPSTREAM_ERRORS } from '../proxy/errors.ts';
import { GATEWAY_ERRORS } from '../server/errors.ts';
import { DECISION_CODES, type CodeSpec } from './codes.ts';
import { decisionProblem } from './problem.ts';

interface Documented {
  status: number;
  layer: string;
  title: string;
}

/** Every table of codes that answers callers, with the layer its codes show. */
const TABLES: Array<{ name: string; codes: Record<string, { status: number; title: string; layer?: string }>; layer?: string }> = [
  { name: 'DECISION_CODES (src/decision/codes.ts)', codes: DECISION_CODES },
  { name: 'UPSTREAM_ERRORS (src/proxy/errors.ts)', codes: UPSTREAM_ERRORS },
  { name: 'ADMIN_ERRORS (src/admin/errors.ts)', codes: ADMIN_ERRORS, layer: 'admin' },
  { name: 'GATEWAY_ERRORS (src/server/errors.ts)', codes: GATEWAY_ERRORS, layer: 'gateway' },
];

const CODE_HEADING = /^## ([a-z][a-z0-9_]*\.[a-z0-9_]+)\s*$/;

function documentedCodes(): Map<string, Documented> {
  const text = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  const out = new Map<string, Documented>();
  for (const section of text.split(/^(?=## )/m)) {
    const m = CODE_HEADING.exec(section.split('\n')[0]);
    if (!m) continue;
    assert.ok(!out.has(m[1]), `docs/errors.md documents ${m[1]} twice`);
    // The first row under the table header: | status | layer | retryable | hint shown to |
    const row = /^\|\s*(\d{3})\s*\|\s*([a-z]+)\s*\|/m.exec(section);
    const title = /^\*\*Title:\*\* (.+)$/m.exec(section);
    assert.ok(row, `## ${m[1]} in docs/errors.md needs its "| status | layer | ..." table row`);
    assert.ok(title, `## ${m[1]} in docs/errors.md needs a "**Title:** ..." line`);
    out.set(m[1], { status: Number(row[1]), layer: row[2], title: title[1].trim() });
  }
  return out;
}

test('every code of every table has a section in docs/errors.md, with its status and title', () => {
  const docs = documentedCodes();
  for (const table of TABLES) {
    for (const [code, spec] of Object.entries(table.codes)) {
      const doc = docs.get(code);
      assert.ok(doc, `${code} (${table.name}) is not documented: add a "## ${code}" section to docs/errors.md`);
      assert.equal(doc.status, spec.status, `docs/errors.md gives ${code} status ${doc.status}, the table ${spec.status}`);
      assert.equal(doc.title, spec.title, `docs/errors.md gives ${code} another title than ${table.name}`);
      const layer = spec.layer ?? table.layer;
      if (layer) assert.equal(doc.layer, layer, `docs/errors.md gives ${code} layer ${doc.layer}, the table ${layer}`);
    }
  }
});

test('every code documented in docs/errors.md exists in a table', () => {
  const known = new Set(TABLES.flatMap((t) => Object.keys(t.codes)));
  for (const code of documentedCodes().keys()) {
    assert.ok(known.has(code), `docs/errors.md documents ${code}, which no code table defines (retired codes keep their entry in the table)`);
  }
});

test('codes are unique across tables and a decision code is prefixed by its layer', () => {
  const seen = new Map<string, string>();
  for (const table of TABLES) {
    for (const code of Object.keys(table.codes)) {
      assert.ok(!seen.has(code), `${code} is in both ${seen.get(code)} and ${table.name}`);
      seen.set(code, table.name);
    }
  }
  for (const [code, spec] of Object.entries(DECISION_CODES)) {
    assert.equal(code.split('.')[0], spec.layer, `${code} belongs to layer ${spec.layer}: its prefix must be the layer`);
  }
});

test('the type URL of a problem is the configured base plus the code', () => {
  const custom = loadConfigText('gateway: { errorTypeBase: "https://docs.example.com/api-errors#" }');
  const fallback = loadConfigText('{}');
  assert.equal(fallback.config.gateway.errorTypeBase, 'https://pinpoint.dev/errors/');
  for (const loaded of [custom, fallback]) {
    const base = loaded.config.gateway.errorTypeBase;
    const d = loaded.pipeline.run(
      { method: 'GET', httpVersion: '1.1', path: '/nothing-here', query: '', host: 'h', headers: { host: 'h' }, clientIp: '127.0.0.1' },
      { requestId: 'req_1', disposition: 'explain', configRevision: loaded.revision },
    );
    assert.ok(!(d instanceof Promise));
    const body = JSON.parse(decisionProblem(d, 'anyone', base).body);
    assert.equal(body.type, `${base}route.not_found`);
  }
});

test('every publicAs names an existing code of the same layer and status, which has no publicAs itself', () => {
  const table: Record<string, CodeSpec> = DECISION_CODES;
  for (const [code, spec] of Object.entries(table)) {
    if (spec.publicAs === undefined) continue;
    const shown = table[spec.publicAs];
    assert.ok(shown, `${code} is shown as ${spec.publicAs}, which is not in DECISION_CODES`);
    assert.equal(shown.status, spec.status, `${code} (status ${spec.status}) is shown as ${spec.publicAs} (status ${shown.status}): the status line would tell them apart`);
    assert.equal(shown.layer, spec.layer, `${code} is shown as ${spec.publicAs} of another layer`);
    assert.equal(shown.publicAs, undefined, `${spec.publicAs} is itself shown as another code: point ${code} at the final one`);
    assert.equal(shown.retryable, spec.retryable, `${code} and ${spec.publicAs} differ in retryable: the response would tell them apart`);
  }
});
