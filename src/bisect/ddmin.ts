// Delta debugging (Zeller and Hildebrandt, "Simplifying and Isolating Failure-Inducing Input",
// 2002): ddmin reduces a failing set of parts to a 1-minimal one (leaving out any single part
// makes it stop failing), testing subsets and complements at doubling granularity. Written here:
// the algorithm is a few lines, and the npm implementations are unmaintained or synchronous.

/** 'fail': the target failure, exactly; anything else ('pass', a different failure) is not. */
export type Verdict = 'fail' | 'other';

export type SubsetTest = (subset: readonly number[]) => Promise<Verdict>;

function split(items: readonly number[], n: number): number[][] {
  const chunks: number[][] = [];
  let start = 0;
  for (let i = 0; i < n; i++) {
    const end = start + Math.floor((items.length - start) / (n - i));
    chunks.push(items.slice(start, end));
    start = end;
  }
  return chunks.filter((c) => c.length > 0);
}

/**
 * Returns a 1-minimal failing subset of `items` (which must fail). `onProgress` sees each smaller
 * failing set found, so a caller that runs out of budget mid-way still has the best one so far.
 */
export async function ddmin(
  items: readonly number[],
  test: SubsetTest,
  onProgress: (current: readonly number[]) => void = () => {},
): Promise<number[]> {
  let current = [...items];
  let n = 2;
  while (current.length >= 2) {
    const chunks = split(current, n);
    let reduced = false;
    for (const chunk of chunks) {
      if ((await test(chunk)) === 'fail') {
        current = chunk;
        n = 2;
        reduced = true;
        break;
      }
    }
    if (!reduced && chunks.length > 2) {
      for (const chunk of chunks) {
        const drop = new Set(chunk);
        const complement = current.filter((i) => !drop.has(i));
        if ((await test(complement)) === 'fail') {
          current = complement;
          n = Math.max(n - 1, 2);
          reduced = true;
          break;
        }
      }
    }
    if (reduced) {
      onProgress(current);
      continue;
    }
    if (n >= current.length) break;
    n = Math.min(current.length, n * 2);
  }
  return current;
}
