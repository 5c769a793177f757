// The report in a terminal: totals, a sparkline of denials over the period, the top movers and
// a table per dimension, each row with its own sparkline.
import { change, table } from './cells.ts';
import { renderAiReport } from './render-ai.ts';
import type { Report } from './report.ts';

const BLOCKS = '▁▂▃▄▅▆▇█';

/** Unicode block sparkline; an empty bucket is a space so a quiet period looks quiet. */
export function sparkline(values: readonly number[]): string {
  const max = Math.max(0, ...values);
  return values.map((v) => (v <= 0 || max === 0 ? ' ' : BLOCKS[Math.min(7, Math.floor((v / max) * 7.999))])).join('');
}

function pct(part: number, whole: number): string {
  return whole === 0 ? '-' : `${((part / whole) * 100).toFixed(1)}%`;
}

const NAMES = { layer: 'layer', code: 'code', route: 'route', consumer: 'consumer', tenant: 'tenant', client: 'client address', alias: 'model alias', provider: 'provider' } as const;

export function renderReport(r: Report): string {
  const out: string[] = [];
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  out.push(`Denials from ${iso(r.from)} to ${iso(r.to)} (previous period from ${iso(r.previousFrom)})`);
  out.push(`requests ${r.requests}, denied ${r.denials} (${pct(r.denials, r.requests)}); previous period: requests ${r.previousRequests}, denied ${r.previousDenials} (${pct(r.previousDenials, r.previousRequests)}); change ${change(r.denials, r.previousDenials)}`);
  out.push(`over time, one mark per ${Math.round(r.bucketMs / 1000)} s: |${sparkline(r.series)}| peak ${Math.max(0, ...r.series)}`);
  if (r.movers.length > 0) {
    out.push('', 'Top movers against the previous period');
    out.push(...table(['dimension', 'value', 'now', 'before', 'change'], r.movers.map((m) => [NAMES[m.dimension], m.key ?? '(none)', String(m.count), String(m.previous), change(m.count, m.previous)])));
  }
  for (const [dimension, rows] of Object.entries(r.groups)) {
    if (!rows || rows.length === 0) continue;
    out.push('', `By ${NAMES[dimension as keyof typeof NAMES]}`);
    out.push(...table([NAMES[dimension as keyof typeof NAMES], 'denied', 'share', 'before', 'change', 'over time'], rows.map((g) => [
      g.key ?? '(none)', String(g.count), pct(g.count, r.denials), String(g.previous), change(g.count, g.previous), `|${sparkline(g.series)}|`,
    ])));
  }
  if (r.denials === 0 && r.previousDenials === 0) out.push('', 'No denials in either period.');
  if (r.ai) out.push('', ...renderAiReport(r.ai));
  return out.join('\n') + '\n';
}
