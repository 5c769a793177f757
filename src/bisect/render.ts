// The plan (--dry-run) and the summary of pinpoint bisect, as text. Values that may be secrets
// (credentials, cookies, fields named like a password or token) are shown as [redacted].
import { quote } from 'shell-quote';
import { ALWAYS_REDACTED_HEADERS, REDACTED } from '../calllog/redact.ts';
import type { BisectResult } from './bisect.ts';
import { describeSignature, passes, type CauseOptions } from './oracle.ts';
import type { BuiltRequest, Decomposed, Part } from './parts.ts';

const SECRET_NAME = /pass(word)?|secret|token|api[-_]?key|session|auth|credential|signature/i;

function secretHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return (ALWAYS_REDACTED_HEADERS as readonly string[]).includes(lower) || SECRET_NAME.test(lower);
}

export function partText(part: Part): string {
  const name = part.label.replace(/^(header|cookie|query|form) /, '');
  let value = part.value;
  if (part.kind === 'header' && secretHeader(name)) {
    const scheme = /^(Bearer|Basic|Digest|Token)\s/i.exec(value)?.[1];
    value = scheme ? `${scheme} ${REDACTED}` : REDACTED;
  } else if (part.kind === 'cookie') {
    return `${part.label}=${REDACTED}`;
  } else if ((part.kind === 'query' || part.kind === 'form') && SECRET_NAME.test(name)) {
    return `${part.label}=${REDACTED}`;
  } else if (part.kind === 'json' && SECRET_NAME.test(part.label.split(/[.[]/).at(-1) ?? '')) {
    value = REDACTED;
  }
  if (value.length > 120) value = `${value.slice(0, 117)}...`;
  if (part.kind === 'query' || part.kind === 'form') return `${part.label}  (${value})`;
  return `${part.label}: ${value}`;
}

function countKinds(parts: readonly Part[]): string {
  const names: Record<Part['kind'], string> = { header: 'headers', cookie: 'cookies', query: 'query parameters', form: 'form fields', json: 'JSON body fields', body: 'body' };
  const counts = new Map<string, number>();
  for (const p of parts) counts.set(names[p.kind], (counts.get(names[p.kind]) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${n} ${k}`).join(', ') || 'none';
}

/** The minimal request as a curl command, with secrets redacted (put yours back to run it). */
export function curlOf(req: BuiltRequest): string {
  const words = ['curl', '-X', req.method, req.url];
  for (const [name, value] of req.headers) {
    if (name.toLowerCase() === 'cookie') {
      words.push('-H', `${name}: ${value.split(';').map((c) => `${c.split('=')[0]!.trim()}=${REDACTED}`).join('; ')}`);
    } else words.push('-H', `${name}: ${secretHeader(name) ? REDACTED : value}`);
  }
  if (req.body !== undefined) words.push('--data-raw', req.body.toString('utf8'));
  return quote(words);
}

export function renderPlan(plan: Decomposed, opts: { maxRequests: number; ratePerSecond: number; cause: CauseOptions; admin?: unknown }): string {
  const lines = [
    'pinpoint bisect: dry run, nothing is sent',
    `target: ${plan.method} ${plan.target}`,
    '  every request goes to this URL; only headers, cookies, query parameters and body fields vary',
    `parts (${plan.parts.length}: ${countKinds(plan.parts)}):`,
    ...plan.parts.map((p, i) => `  ${String(i + 1).padStart(3)}  ${partText(p)}`),
    'steps:',
    '  1. send the request as given to learn its failure (status and cause)',
    '  2. send it without any part: if it fails the same way, the method and path alone are refused',
    '  3. delta debugging: send subsets of the parts to find a minimal request that fails the same way',
    '  4. send the minimal request and the original without each part of it, to find what makes it pass',
    `budget: at most ${opts.maxRequests} requests, at most ${opts.ratePerSecond} per second`,
    `same failure means: the same status, and the same cause when the server names one (a problem+json code, a rule id in the body, headers ${opts.cause.headers.join(', ')}${opts.cause.pattern ? `, the pattern ${opts.cause.pattern}` : ''}${opts.admin ? ', the decision code and rule from the admin API' : ''})`,
  ];
  return lines.join('\n') + '\n';
}

export function renderSummary(r: BisectResult): string {
  const label = (i: number) => partText(r.parts[i]!);
  const out: string[] = [];
  out.push(`pinpoint bisect ${r.method} ${r.target}`);
  out.push(`original: ${describeSignature(r.reference)}${r.reference.cause ? '' : ' (the server names no cause: only the status is compared)'}`);
  out.push(`parts: ${r.parts.length} (${countKinds(r.parts)}); requests sent: ${r.sent}`);
  if (r.budgetExhausted) out.push(`budget spent before the search finished: the result below is the smallest found, maybe not minimal (raise --max-requests)`);
  out.push('');
  if (r.failsWithoutParts) {
    out.push(`The request fails the same way without any header, cookie, query parameter or body field:`);
    out.push(`the method and path alone are refused (${r.method} ${r.target}).`);
  } else {
    out.push(`Minimal request that still gets ${describeSignature(r.reference)} (${r.minimal.length} of ${r.parts.length} parts):`);
    for (const i of r.minimal) out.push(`  ${label(i)}`);
    out.push(`  ${curlOf(r.minimalRequest)}`);
    if (r.withoutEach.length > 0) {
      out.push('');
      out.push('Leaving one part out of the minimal request:');
      for (const w of r.withoutEach) out.push(`  without ${r.parts[w.part]!.label}: ${describeSignature(w.got)}`);
    }
    if (r.originalWithout.length > 0) {
      out.push('');
      out.push('Leaving one part out of the original request:');
      for (const w of r.originalWithout) out.push(`  without ${r.parts[w.part]!.label}: ${describeSignature(w.got)}`);
      const fix = r.originalWithout.filter((w) => passes(w.got));
      if (fix.length > 0) {
        out.push('');
        out.push(`What makes it pass: removing ${fix.map((w) => r.parts[w.part]!.label).join(' or ')}.`);
      } else if (r.originalWithoutAll) {
        out.push(`  without all of them: ${describeSignature(r.originalWithoutAll)}`);
        if (passes(r.originalWithoutAll)) out.push('', `What makes it pass: removing all of ${r.minimal.map((i) => r.parts[i]!.label).join(', ')}.`);
      }
      if (fix.length === 0 && !(r.originalWithoutAll && passes(r.originalWithoutAll))) {
        out.push('', 'No part found whose removal makes the original pass: another part also causes this failure, or removing it causes another one (see above).');
      }
    }
  }
  return out.join('\n') + '\n';
}
