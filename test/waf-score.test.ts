import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scoreRepo } from '../bench/waf/score.ts';

/**
 * Floors for the repository's corpora (bench/corpora/waf), documented in bench/RESULTS.md. A rule
 * change that loses detection or adds false positives past them fails here; raise the floors
 * when the rules get better.
 */
const DETECTION_FLOOR_PL1: Record<string, number> = { sqli: 0.9, xss: 0.95, lfi: 0.95, rce: 0.9, protocol: 0.5, size: 0.8 };
const FALSE_POSITIVE_CEILING = [0.02, 0.1, 0.1, 0.12];

test('the scorer runs and detection and false-positive rates stay within their documented bounds', () => {
  const s = scoreRepo();
  for (const [family, floor] of Object.entries(DETECTION_FLOOR_PL1)) {
    const r = s.detection[family][0];
    assert.ok(r.total > 5, `${family}: corpus too small`);
    assert.ok(r.hit / r.total >= floor, `${family} detection at PL1 ${r.hit}/${r.total} is below ${floor}`);
    // a higher paranoia level never detects less
    for (let l = 1; l < 4; l++) assert.ok(s.detection[family][l].hit >= s.detection[family][l - 1].hit, `${family} PL${l + 1}`);
  }
  s.falsePositives.forEach((r, i) => {
    assert.ok(r.total > 200);
    assert.ok(r.hit / r.total <= FALSE_POSITIVE_CEILING[i], `false positives at PL${i + 1}: ${r.hit}/${r.total}: ${i === 0 ? s.falsePositiveLabels.join('; ') : ''}`);
  });
});
