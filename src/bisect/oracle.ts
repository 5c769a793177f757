// What a response says about why it failed, so that "still failing" means the same failure: the
// status and, when the server names it, the cause (a Pinpoint code and rule, a WAF rule id in a
// header or in the body). A variant that fails differently is not "still failing".

export interface Signature {
  status: number;
  /** The cause as the server named it, e.g. `code waf.blocked, rule xss-100` or `x-waf-rule 942100`. */
  cause?: string;
  /** Pinpoint's request id of the answer, when there is one (for the summary). */
  requestId?: string;
  /** The request never got an answer (connection refused, timeout). */
  error?: string;
}

export interface CauseOptions {
  /** Response headers that name the cause (lowercased). */
  headers: readonly string[];
  /** A pattern whose first group, found in the body, names the cause. */
  pattern?: RegExp;
}

export const DEFAULT_CAUSE_HEADERS = ['x-waf-rule', 'x-waf-rule-id', 'x-rule-id', 'x-block-reason', 'x-deny-reason'];

const RULE_MEMBERS = ['rule_id', 'ruleId', 'rule', 'waf_rule', 'wafRule'];

function jsonCause(body: unknown): string[] {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return [];
  const record = body as Record<string, unknown>;
  const found: string[] = [];
  const code = record.code ?? (record.error as Record<string, unknown> | undefined)?.code;
  if (typeof code === 'string' || typeof code === 'number') found.push(`code ${code}`);
  for (const member of RULE_MEMBERS) {
    const value = record[member];
    if (typeof value === 'string' || typeof value === 'number') found.push(`rule ${value}`);
  }
  return found;
}

// "rule id 942100", "Rule ID: 1010", "ruleId=sqli-100" in an HTML or text block page.
const TEXT_RULE = /\brule[ _-]?id\b["'\s:=#]*([A-Za-z0-9][\w.:-]{0,63})/i;

export function causeOf(headers: Record<string, string | string[] | undefined>, contentType: string, body: string, opts: CauseOptions): string | undefined {
  const found: string[] = [];
  for (const name of opts.headers) {
    const value = headers[name];
    if (value !== undefined) found.push(`${name} ${Array.isArray(value) ? value.join(', ') : value}`);
  }
  if (opts.pattern) {
    const m = opts.pattern.exec(body);
    if (m) found.push(`matched ${m[1] ?? m[0]}`);
  }
  if (/json/i.test(contentType)) {
    try {
      found.push(...jsonCause(JSON.parse(body)));
    } catch {
      // not JSON after all: no cause from the body
    }
  } else if (!opts.pattern) {
    const m = TEXT_RULE.exec(body);
    if (m) found.push(`rule ${m[1]}`);
  }
  return found.length > 0 ? found.join(', ') : undefined;
}

/** The variant fails exactly as the original did. */
export function sameFailure(reference: Signature, got: Signature): boolean {
  return got.error === undefined && got.status === reference.status && got.cause === reference.cause;
}

export function passes(got: Signature): boolean {
  return got.error === undefined && got.status < 400;
}

export function describeSignature(s: Signature): string {
  if (s.error !== undefined) return `no answer (${s.error})`;
  const verdict = s.status < 400 ? ' (passes)' : '';
  return `${s.status}${s.cause ? ` ${s.cause}` : ''}${verdict}`;
}
