import { codeSpec, type Audience, type DecisionCode } from './codes.ts';
import { fieldVisible } from './disclosure.ts';
import type { Decision } from './types.ts';

/** A response ready to write: RFC 9457 problem+json. */
export interface ProblemResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export const PROBLEM_TYPE = 'application/problem+json';

export interface ProblemFields {
  status: number;
  code: string;
  title: string;
  requestId: string;
  retryable: boolean;
  typeBase: string;
  /** Public message; when absent the caller is told to quote the request id. */
  detail?: string;
  layer?: string;
  hint?: string;
  extensions?: Record<string, unknown>;
  headers?: Record<string, string>;
}

/** The one place a problem body is built, for decisions and operational errors alike. */
export function problem(f: ProblemFields): ProblemResponse {
  const body: Record<string, unknown> = {
    type: f.typeBase + f.code,
    title: f.title,
    status: f.status,
    detail: f.detail ?? `The request was refused. Quote request id ${f.requestId} to the API owner.`,
    instance: `urn:pinpoint:request:${f.requestId}`,
    request_id: f.requestId,
    code: f.code,
    retryable: f.retryable,
  };
  if (f.layer !== undefined) body.layer = f.layer;
  if (f.hint !== undefined) body.hint = f.hint;
  if (f.extensions) {
    // Extension members never replace the standard ones.
    for (const [k, v] of Object.entries(f.extensions)) if (!(k in body)) body[k] = v;
  }
  return {
    status: f.status,
    headers: { 'content-type': PROBLEM_TYPE, 'cache-control': 'no-store', ...f.headers },
    body: JSON.stringify(body),
  };
}

/**
 * The problem response for a denial, showing `audience` only what it may see: layer,
 * hint and extra members from the code's disclosure level up; rule ids, evidence, fixes
 * and the trace never (operators read them with `pinpoint why`).
 */
export function decisionProblem(d: Decision, audience: Audience, typeBase: string): ProblemResponse {
  return problem(decisionProblemFields(d, audience, typeBase));
}

/** The members of a denial's problem for `audience` (also what AI routes put in their client's error envelope). */
export function decisionProblemFields(d: Decision, audience: Audience, typeBase: string): ProblemFields {
  if (!d.code) throw new Error('decisionProblem needs a denial');
  const precise = codeSpec(d.code);
  const code = (precise.publicAs ?? d.code) as DecisionCode;
  const spec = codeSpec(code);
  const hint = fieldVisible('hint', audience, spec) ? d.hint : undefined;
  return {
    status: spec.status,
    code,
    title: spec.title,
    requestId: d.requestId,
    retryable: spec.retryable,
    typeBase,
    detail: hint,
    layer: fieldVisible('layer', audience, spec) ? spec.layer : undefined,
    hint,
    extensions: fieldVisible('extensions', audience, spec) ? d.extensions : undefined,
    headers: d.headers,
  };
}
