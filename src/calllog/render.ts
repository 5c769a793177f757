/**
 * Person-readable text of a decision and of a stored call: what `pinpoint why` prints, and
 * what the admin API and `explain` can reuse. Operator audience: everything is shown
 * (secrets were redacted before storage). Plain text, no colours, every value escaped.
 */
import { DECISION_CODES } from '../decision/codes.ts';
import type { Decision } from '../decision/types.ts';
import { UPSTREAM_ERRORS } from '../proxy/errors.ts';
import { aiFields, renderAiDetail, renderViolatedBudgets } from './render-ai.ts';
import { clip, printable, renderTable } from './text-table.ts';
import type { StoredCall } from './types.ts';

/** The title of a decision code or an operational (upstream.*, client.*) code. */
export function codeTitle(code: string | undefined): string | undefined {
  if (!code) return undefined;
  const table: Record<string, { title: string }> = { ...DECISION_CODES, ...UPSTREAM_ERRORS };
  return table[code]?.title;
}

const VERDICT: Record<string, string> = { allow: 'ALLOWED', deny: 'DENIED', error: 'FAILED' };

/** The full story of one request, for `pinpoint why`. */
export function renderCall(call: StoredCall): string {
  const d = call.decision;
  const out: string[] = [];
  const code = call.code ? ` ${call.code}` : '';
  out.push(`Request ${printable(call.requestId)}: ${VERDICT[call.outcome] ?? call.outcome.toUpperCase()} ${call.status}${printable(code)}`);
  const title = codeTitle(call.code);
  if (title) out.push(`  ${title}`);
  out.push('');
  out.push(
    fields([
      ['at', `${new Date(call.at).toISOString()}`],
      ['correlation', call.correlationId],
      ['request', `${call.method} ${call.path}${call.query ? '?' + call.query : ''}`],
      ['host', call.host || '(none)'],
      ['client ip', call.clientIp],
      ['route', call.route ?? '(no route matched)'],
      ['consumer', call.consumer && `${call.consumer}${call.tenant ? ` (tenant ${call.tenant})` : ''}`],
      ['credential', d.credential],
      ['config', `revision ${call.configRevision}`],
      ['upstream', upstreamLine(call)],
      ['total', `${call.totalMs.toFixed(1)} ms`],
      ['error', call.error],
      ['owner record', d.ownerRecord && `${d.ownerRecord.outcome}: ${d.ownerRecord.detail}`],
    ]),
  );
  if (call.ai) out.push('', 'AI call', fields(aiFields(call.ai)), ...renderAiDetail(call.ai));
  out.push('', renderDecision(d, { header: false }));
  out.push('', 'Request headers (secrets redacted)');
  const headers = Object.entries(call.requestHeaders);
  if (headers.length === 0) out.push('  (none)');
  for (const [name, value] of headers) {
    for (const v of Array.isArray(value) ? value : [value]) out.push(`  ${printable(name)}: ${clip(printable(v), 200)}`);
  }
  return out.join('\n') + '\n';
}

/** Why the pipeline decided what it did: rule, detail, evidence, fixes, also-would-deny, trace. */
export function renderDecision(d: Decision, opts: { header?: boolean } = {}): string {
  const out: string[] = [];
  if (opts.header !== false) {
    out.push(`Decision ${printable(d.requestId)}: ${d.outcome === 'deny' ? 'DENIED' : 'ALLOWED'} ${d.status}${d.code ? ' ' + d.code : ''}`);
    const title = codeTitle(d.code);
    if (title) out.push(`  ${title}`);
    out.push('');
  }
  if (d.outcome === 'deny') {
    out.push('Why');
    out.push(
      fields([
        ['layer', d.layer],
        ['rule', d.rule && `${d.rule.id}${d.rule.name ? ` (${d.rule.name})` : ''}${d.rule.source ? ` at ${d.rule.source}` : ''}`],
        ['kind', d.denyKind && DENY_KIND[d.denyKind]],
        ['detail', d.detail],
        ['hint', d.hint && `${d.hint} (shown to the caller)`],
      ]),
    );
    out.push('', 'Evidence');
    out.push(d.evidence.length ? renderTable(['where', 'expected', 'observed'], d.evidence.map((e) => [e.where, e.expected, e.observed]), { indent: '  ' }) : '  (none recorded)');
    out.push(...renderViolatedBudgets(d.extensions));
    out.push('', 'Fixes');
    out.push(
      d.fixes.length
        ? renderTable(
            ['who', 'action', 'proved', 'retryable'],
            d.fixes.map((f) => [f.who, f.action, f.proved ? 'yes' : 'no', f.retryable ? (f.retryAfterS ? `after ${f.retryAfterS}s` : 'yes') : 'no']),
            { indent: '  ', maxCell: 120 },
          )
        : '  (none known)',
    );
    out.push('', `Also would deny: ${d.alsoWouldDeny.length ? d.alsoWouldDeny.map(printable).join(', ') : '(nothing else)'}`);
  } else {
    out.push(`Every layer passed${d.route ? `; route ${printable(d.route)} served it` : ''}.`);
  }
  if (d.shadow?.length) {
    out.push('', 'Report-only rules that would have denied (not enforced)');
    out.push(renderTable(['layer', 'code', 'rule', 'detail'], d.shadow.map((s) => [s.layer, s.code, s.ruleId, s.detail]), { indent: '  ', maxCell: 120 }));
  }
  out.push('', 'Trace');
  out.push(
    d.trace.length
      ? renderTable(['layer', 'verdict', 'rule', 'code', 'µs'], d.trace.map((t) => [t.layer, t.verdict, t.ruleId ?? '', t.code ?? '', String(t.us)]), { indent: '  ' })
      : '  (empty)',
  );
  if (d.disposition !== 'enforce') out.push('', `Disposition: ${d.disposition} (not enforced)`);
  return out.join('\n');
}

const DENY_KIND: Record<string, string> = {
  explicit: 'explicit rule',
  no_allow: 'no matching allow',
  threshold: 'threshold crossed',
  missing_context: 'missing context',
  dependency_failed: 'dependency failed (fail-closed)',
};

function upstreamLine(call: StoredCall): string | undefined {
  // An AI call's provider side is told in its own section.
  if (call.ai) return undefined;
  if (!call.upstream && call.upstreamStatus === undefined) return '(not called)';
  const parts = [call.upstream ?? '?'];
  parts.push(call.upstreamStatus !== undefined ? `status ${call.upstreamStatus}` : 'no status');
  if (call.upstreamMs !== undefined) parts.push(`in ${call.upstreamMs.toFixed(1)} ms`);
  return parts.join(', ');
}

/** "  label     value" lines; absent values are left out. */
function fields(rows: Array<[string, string | undefined]>): string {
  const present = rows.filter((r): r is [string, string] => r[1] !== undefined && r[1] !== '');
  const width = Math.max(...present.map(([k]) => k.length));
  return present.map(([k, v]) => `  ${k.padEnd(width)}  ${printable(v)}`).join('\n');
}

/**
 * One compact line per call, for `pinpoint logs`. Fixed column widths, so lines printed
 * later by --follow line up with the first ones; a longer value is clipped.
 */
const LOG_COLUMNS: Array<[title: string, width: number]> = [
  ['time (UTC)', 23],
  ['request id', 36],
  ['method', 7],
  ['path', 40],
  ['status', 6],
  ['code / route', 26],
  ['ms', 8],
];

export function renderLogHeader(): string {
  return line(LOG_COLUMNS.map(([title]) => title));
}

export function renderLogLine(c: StoredCall): string {
  const time = new Date(c.at).toISOString().replace('T', ' ').slice(0, 23);
  return line([time, c.requestId, c.method, c.path, String(c.status), c.code ?? c.route ?? '-', c.totalMs.toFixed(1)]);
}

function line(cells: string[]): string {
  return cells
    .map((cell, i) => {
      const width = LOG_COLUMNS[i][1];
      const text = clip(printable(cell), width);
      return i === cells.length - 1 ? text : text.padEnd(width);
    })
    .join(' ');
}
