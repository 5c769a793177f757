// The AI part of the report in a terminal: totals against the previous period, a table per
// model alias and provider, and the providers' failures.
import { formatUsd } from '../calllog/render-ai.ts';
import type { AiReport, AiTotals } from './ai.ts';
import { change, table } from './cells.ts';

const ms = (v: number | undefined) => (v === undefined ? '-' : `${Math.round(v)} ms`);

function totalsLine(t: AiTotals): string {
  const unpriced = t.unpricedCalls ? ` + ${t.unpricedCalls} unpriced call${t.unpricedCalls === 1 ? '' : 's'} (not costed)` : '';
  return `calls ${t.calls}, tokens ${t.inputTokens} in / ${t.outputTokens} out, cost ${formatUsd(t.costUsd)}${unpriced}`;
}

export function renderAiReport(ai: AiReport): string[] {
  const out = [`AI calls: ${totalsLine(ai.totals)}`, `previous period: ${totalsLine(ai.previous)}; change in calls ${change(ai.totals.calls, ai.previous.calls)}`];
  if (ai.models.length > 0) {
    out.push('', 'By model alias and the provider that answered');
    out.push(
      ...table(
        ['model alias', 'provider', 'calls', 'errors', 'tokens in', 'tokens out', 'cost', 'first token p50', 'p95'],
        ai.models.map((m) => [
          m.alias,
          m.provider ?? '(none answered)',
          String(m.calls),
          String(m.errors),
          String(m.inputTokens) + (m.estimatedCalls ? ` (${m.estimatedCalls} estimated)` : ''),
          String(m.outputTokens),
          formatUsd(m.costUsd) + (m.unpricedCalls ? ` + ${m.unpricedCalls} unpriced` : ''),
          ms(m.ttftP50Ms),
          ms(m.ttftP95Ms),
        ]),
      ),
    );
  }
  if (ai.providers.length > 0) {
    out.push('', 'Providers (each call to a provider is a hop; a fallback is one more)');
    out.push(
      ...table(
        ['provider', 'hops', 'failed', 'rate', 'failures'],
        ai.providers.map((p) => [
          p.provider,
          String(p.hops),
          String(p.failed),
          `${p.failurePercent.toFixed(1)}%`,
          p.failures.map((f) => `${f.outcome}${f.status === null ? '' : ` ${f.status}`} ×${f.count}`).join(', ') || '-',
        ]),
      ),
    );
  }
  return out;
}
