// Regression cases: each test/regression/*.case.json (written by `pinpoint explain --save-test`)
// is a request, who sends it, and the decision it must get under a config. Each is decided
// again here, by the same pipeline, with an empty credential store of its own.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { describeParsed } from '../src/explain/describe.ts';
import { explain } from '../src/explain/explain.ts';
import { localTarget } from '../src/explain/local-target.ts';
import { caseRequest, type RegressionCase } from '../src/explain/save-case.ts';

const DIR = join(dirname(fileURLToPath(import.meta.url)), 'regression');
const cases = readdirSync(DIR).filter((f) => f.endsWith('.case.json')).sort();

test('there are regression cases to run', () => {
  assert.ok(cases.length >= 2, `expected cases in ${DIR}`);
});

for (const file of cases) {
  test(`regression case ${file}`, async () => {
    const c = JSON.parse(readFileSync(join(DIR, file), 'utf8')) as RegressionCase;
    const tmp = mkdtempSync(join(tmpdir(), 'pinpoint-regression-'));
    const local = await localTarget(resolve(DIR, c.config), { storeFile: join(tmp, 'store.db') });
    try {
      const desc = describeParsed(caseRequest(c), { peer: c.peer, derive: local.target.pipeline.clientAddress });
      const { decision } = await explain(local.target, desc, { as: c.as, assume: c.assume });
      assert.equal(decision.outcome, c.expect.outcome, `${file}: ${decision.code ?? 'allowed'}`);
      if (c.expect.code) assert.equal(decision.code, c.expect.code);
      if (c.expect.status) assert.equal(decision.status, c.expect.status);
    } finally {
      await local.close();
      rmSync(tmp, { recursive: true, force: true });
    }
  });
}
