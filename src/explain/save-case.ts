import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import type { Decision } from '../decision/types.ts';
import type { Assumed } from '../pipeline/types.ts';
import type { ParsedRequest } from './types.ts';

/**
 * A regression case: a request, who sends it, and the decision it must get under a config.
 * test/regression.test.ts runs every `*.case.json` under test/regression through explain.
 */
export interface RegressionCase {
  /** The config file, relative to the case file. */
  config: string;
  request: { method: string; url: string; headers: Array<[string, string]>; bodyBase64?: string };
  as?: string;
  assume?: Assumed;
  peer: string;
  expect: { outcome: 'allow' | 'deny'; status?: number; code?: string };
}

export function saveCase(file: string, c: { request: ParsedRequest; as?: string; assume?: Assumed; peer: string; decision: Decision }, configPath: string | undefined): void {
  if (!configPath) throw new Error('--save-test needs -c FILE: a case names the config it is decided under');
  const out: RegressionCase = {
    config: relative(dirname(resolve(file)), resolve(configPath)),
    request: { method: c.request.method, url: c.request.url, headers: c.request.headers, ...(c.request.body ? { bodyBase64: c.request.body.toString('base64') } : {}) },
    ...(c.as ? { as: c.as } : {}),
    ...(c.assume ? { assume: c.assume } : {}),
    peer: c.peer,
    expect: { outcome: c.decision.outcome, ...(c.decision.outcome === 'deny' ? { status: c.decision.status, code: c.decision.code } : {}) },
  };
  mkdirSync(dirname(resolve(file)), { recursive: true });
  writeFileSync(file, JSON.stringify(out, null, 2) + '\n');
}

export function caseRequest(c: RegressionCase): ParsedRequest {
  return { method: c.request.method, url: c.request.url, headers: c.request.headers, body: c.request.bodyBase64 ? Buffer.from(c.request.bodyBase64, 'base64') : undefined, source: 'log' };
}
