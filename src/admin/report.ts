// GET /report: denials over a period, grouped, with the top movers (src/report/report.ts).
import { parseSince } from './logs-query.ts';
import { buildReport } from '../report/report.ts';
import { sendJson, sendProblem } from './reply.ts';
import type { AdminRequest } from './types.ts';

const PARAMS = ['since', 'until', 'buckets', 'top'];

export function report({ res, query, deps, requestId, typeBase }: AdminRequest): void {
  const bad = (detail: string) => sendProblem(res, 'admin.bad_query', requestId, typeBase, { detail });
  for (const name of query.keys()) if (!PARAMS.includes(name)) return bad(`unknown parameter "${name.slice(0, 40)}"; known: ${PARAMS.join(', ')}`);
  if (!deps.aggregates) return bad('reports need the call log, which this gateway does not read');
  const now = Date.now();
  const to = query.has('until') ? parseSince(query.get('until')!, now) : now;
  const from = parseSince(query.get('since') ?? '1h', now);
  if (from === undefined || to === undefined) return bad('since and until are epoch ms, an ISO time, or a duration back from now (30s, 10m, 2h, 1d)');
  if (from >= to) return bad('since must be before until');
  const int = (name: string, fallback: number, max: number) => {
    const raw = query.get(name);
    if (raw === null) return fallback;
    return /^\d{1,4}$/.test(raw) && Number(raw) >= 1 && Number(raw) <= max ? Number(raw) : undefined;
  };
  const buckets = int('buckets', 24, 200);
  const top = int('top', 10, 100);
  if (buckets === undefined) return bad('buckets is a whole number from 1 to 200');
  if (top === undefined) return bad('top is a whole number from 1 to 100');
  sendJson(res, 200, buildReport(deps.aggregates, { from, to, buckets, top }));
}
