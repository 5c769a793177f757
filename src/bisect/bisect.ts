// pinpoint bisect: which part of a refused request makes it refused. The original is sent once
// to learn its failure (status and cause); ddmin then looks for a minimal set of parts that still
// fails that same way; finally each part of that set is left out of the original to find the
// part whose removal makes the request pass.
import type { ParsedRequest } from '../explain/input/index.ts';
import { ddmin, type Verdict } from './ddmin.ts';
import { passes, sameFailure, type CauseOptions, type Signature } from './oracle.ts';
import { decompose, type BuiltRequest, type Decomposed, type Part } from './parts.ts';
import { BudgetExhausted, Sender } from './send.ts';

export interface BisectOptions {
  maxRequests: number;
  ratePerSecond: number;
  timeoutMs: number;
  cause: CauseOptions;
  /** The status the original must get (default: any status of 400 or more). */
  expectStatus?: number;
  admin?: { url: string; token: string };
  /** Progress lines, e.g. to stderr. */
  progress?: (line: string) => void;
}

export interface Tried {
  parts: number[];
  got: Signature;
}

export interface BisectResult {
  method: string;
  target: string;
  parts: Part[];
  reference: Signature;
  sent: number;
  budgetExhausted: boolean;
  /** The request without any part fails the same way: the method and URL path alone are refused. */
  failsWithoutParts: boolean;
  /** Indexes of the parts of the smallest request found that still fails the same way. */
  minimal: number[];
  minimalRequest: BuiltRequest;
  /** For each part of `minimal`: what the minimal request without it got. */
  withoutEach: Array<{ part: number; got: Signature }>;
  /** For each part of `minimal`: what the original request without it got. */
  originalWithout: Array<{ part: number; got: Signature }>;
  /** The original without every part of `minimal`, when more than one. */
  originalWithoutAll?: Signature;
}

export class BisectError extends Error {
  override name = 'BisectError';
}

const keyOf = (subset: readonly number[]) => [...subset].sort((a, b) => a - b).join(',');

export function planOf(request: ParsedRequest): Decomposed {
  return decompose(request);
}

export async function bisect(request: ParsedRequest, opts: BisectOptions): Promise<BisectResult> {
  const plan = decompose(request);
  const all = plan.parts.map((_, i) => i);
  const sender = new Sender({ ...opts, target: plan.target });
  const cache = new Map<string, Signature>();
  const say = opts.progress ?? (() => {});

  const tryParts = async (subset: readonly number[]): Promise<Signature> => {
    const key = keyOf(subset);
    const known = cache.get(key);
    if (known) return known;
    const got = await sender.send(plan.build(new Set(subset)));
    cache.set(key, got);
    return got;
  };

  try {
    const reference = await tryParts(all);
    if (reference.error !== undefined) throw new BisectError(`the original request got no answer: ${reference.error}`);
    if (opts.expectStatus !== undefined ? reference.status !== opts.expectStatus : reference.status < 400) {
      throw new BisectError(
        `the original request got ${reference.status}${reference.cause ? ` (${reference.cause})` : ''}, ` +
          `not ${opts.expectStatus ?? 'a failure'}: there is nothing to bisect`,
      );
    }
    say(`reference: ${reference.status}${reference.cause ? ` ${reference.cause}` : ' (the server names no cause: status only)'}`);
    const verdict = async (subset: readonly number[]): Promise<Verdict> =>
      (sameFailure(reference, await tryParts(subset)) ? 'fail' : 'other');

    const result: BisectResult = {
      method: plan.method,
      target: plan.target,
      parts: plan.parts,
      reference,
      sent: 0,
      budgetExhausted: false,
      failsWithoutParts: false,
      minimal: all,
      minimalRequest: plan.build(new Set(all)),
      withoutEach: [],
      originalWithout: [],
    };
    try {
      if (all.length > 0 && (await verdict([])) === 'fail') {
        result.failsWithoutParts = true;
        result.minimal = [];
      } else if (all.length > 1) {
        result.minimal = await ddmin(all, verdict, (current) => {
          result.minimal = [...current];
          say(`still ${reference.status} with ${current.length} of ${all.length} parts`);
        });
      }
      for (const part of result.minimal) {
        result.withoutEach.push({ part, got: await tryParts(result.minimal.filter((p) => p !== part)) });
      }
      for (const part of result.minimal) {
        result.originalWithout.push({ part, got: await tryParts(all.filter((p) => p !== part)) });
      }
      if (result.minimal.length > 1 && !result.originalWithout.some((o) => passes(o.got))) {
        const drop = new Set(result.minimal);
        result.originalWithoutAll = await tryParts(all.filter((p) => !drop.has(p)));
      }
    } catch (err) {
      if (!(err instanceof BudgetExhausted)) throw err;
      result.budgetExhausted = true;
    }
    result.minimalRequest = plan.build(new Set(result.minimal));
    result.sent = sender.sent;
    return result;
  } finally {
    await sender.close();
  }
}
