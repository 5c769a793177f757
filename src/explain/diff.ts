import type { Decision } from '../decision/types.ts';
import type { KeyIndex } from '../layers/authn/types.ts';

/** One side of a diff: what the request looked like and what was decided. */
export interface DiffSide {
  label: string;
  method: string;
  path: string;
  query: string;
  clientIp: string;
  clientIpVia?: string;
  headers: Record<string, string | string[] | undefined>;
  /** The JSON body when known (pasted requests; the log keeps none). */
  body?: unknown;
  decision: Decision;
}

export interface Difference {
  /** method, route, consumer, credential, client address, header:<name>, query:<name>, body:<pointer> */
  aspect: string;
  a: string;
  b: string;
}

export interface DiffReport {
  a: { label: string; outcome: string; code?: string; layer?: string };
  b: { label: string; outcome: string; code?: string; layer?: string };
  /** The first layer (in pipeline order) whose verdict differs, and the two verdicts. */
  firstDivergence?: { layer: string; a: string; b: string };
  differences: Difference[];
}

/** Never shown, even redacted values differ only as "present": they are credentials. */
const SECRET_HEADERS = new Set(['authorization', 'cookie', 'x-api-key', 'proxy-authorization']);
/** Differ between any two requests and never decide anything. */
const NOISE_HEADERS = new Set(['content-length', 'x-request-id', 'traceparent', 'tracestate', 'date', 'user-agent', 'accept-encoding', 'connection']);
const MAX_BODY_DIFFERENCES = 20;

/** Why does theirs pass and mine fail: the differences that matter to the decision, and where the two first parted. */
export function diffRequests(a: DiffSide, b: DiffSide, keys?: KeyIndex): DiffReport {
  const out: Difference[] = [];
  const add = (aspect: string, x: string, y: string) => x !== y && out.push({ aspect, a: x, b: y });
  add('method', a.method, b.method);
  add('path', a.path, b.path);
  add('route', a.decision.route ?? '(none)', b.decision.route ?? '(none)');
  add('consumer', a.decision.consumer ?? '(none)', b.decision.consumer ?? '(none)');
  add('tenant', a.decision.tenant ?? '(none)', b.decision.tenant ?? '(none)');
  add('credential', credential(a.decision.credential, keys), credential(b.decision.credential, keys));
  add('client address', `${a.clientIp}${a.clientIpVia ? ` (${a.clientIpVia})` : ''}`, `${b.clientIp}${b.clientIpVia ? ` (${b.clientIpVia})` : ''}`);
  for (const name of union(Object.keys(a.headers), Object.keys(b.headers))) {
    if (NOISE_HEADERS.has(name)) continue;
    const x = a.headers[name];
    const y = b.headers[name];
    if (SECRET_HEADERS.has(name)) add(`header:${name}`, x === undefined ? '(absent)' : 'present (value not shown)', y === undefined ? '(absent)' : 'present (value not shown)');
    else add(`header:${name}`, show(x), show(y));
  }
  const qa = new URLSearchParams(a.query);
  const qb = new URLSearchParams(b.query);
  for (const name of union([...qa.keys()], [...qb.keys()])) add(`query:${name}`, qa.getAll(name).join(', ') || '(absent)', qb.getAll(name).join(', ') || '(absent)');
  if (a.body !== undefined || b.body !== undefined) {
    const fa = flatten(a.body);
    const fb = flatten(b.body);
    let n = 0;
    for (const pointer of union([...fa.keys()], [...fb.keys()])) {
      if (n >= MAX_BODY_DIFFERENCES) break;
      const x = fa.get(pointer) ?? '(absent)';
      const y = fb.get(pointer) ?? '(absent)';
      if (x !== y) {
        out.push({ aspect: `body:${pointer || '/'}`, a: x, b: y });
        n++;
      }
    }
  }
  return { a: summary(a), b: summary(b), firstDivergence: divergence(a.decision, b.decision), differences: out };
}

function summary(s: DiffSide) {
  return { label: s.label, outcome: s.decision.outcome, code: s.decision.code, layer: s.decision.layer };
}

function divergence(a: Decision, b: Decision): DiffReport['firstDivergence'] {
  const vb = new Map(b.trace.map((t) => [t.layer, t]));
  for (const t of a.trace) {
    const u = vb.get(t.layer);
    const x = t.verdict + (t.code ? ` ${t.code}` : '');
    const y = u ? u.verdict + (u.code ? ` ${u.code}` : '') : '(did not run)';
    if (x !== y) return { layer: t.layer, a: x, b: y };
  }
  const seen = new Set(a.trace.map((t) => t.layer));
  const extra = b.trace.find((t) => !seen.has(t.layer));
  return extra ? { layer: extra.layer, a: '(did not run)', b: extra.verdict + (extra.code ? ` ${extra.code}` : '') } : undefined;
}

/** A credential by its label, with the key's scopes and status when the store knows it. */
function credential(label: string | undefined, keys?: KeyIndex): string {
  if (!label) return '(none)';
  const m = /^pk_([A-Za-z0-9]+)…$/.exec(label);
  const k = m && keys?.get(m[1]);
  if (!k) return label;
  const expired = k.expiresAt !== undefined && k.expiresAt <= Date.now();
  return `${label} (scopes ${k.scopes.join(' ') || 'none'}; ${k.status === 'revoked' ? 'revoked' : expired ? 'expired' : 'active'})`;
}

function show(v: string | string[] | undefined): string {
  if (v === undefined) return '(absent)';
  return (Array.isArray(v) ? v.join(', ') : v).slice(0, 200);
}

function union(a: string[], b: string[]): string[] {
  return [...new Set([...a, ...b])].sort();
}

/** JSON body fields by JSON pointer, values as JSON text (shortened). */
function flatten(v: unknown, at = '', out = new Map<string, string>()): Map<string, string> {
  if (v !== null && typeof v === 'object') {
    const entries = Array.isArray(v) ? v.map((x, i) => [String(i), x] as const) : Object.entries(v as Record<string, unknown>);
    if (entries.length === 0) out.set(at, JSON.stringify(v));
    for (const [k, x] of entries) flatten(x, `${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, out);
  } else if (v !== undefined) {
    out.set(at, JSON.stringify(v).slice(0, 200));
  }
  return out;
}

export function renderDiff(r: DiffReport): string {
  const side = (s: DiffReport['a']) => `${s.label}: ${s.outcome === 'deny' ? `DENIED ${s.code} (layer ${s.layer})` : 'ALLOWED'}`;
  const out = [side(r.a), side(r.b), ''];
  out.push(r.firstDivergence ? `First layer where they part: ${r.firstDivergence.layer} (A: ${r.firstDivergence.a}; B: ${r.firstDivergence.b})` : 'Every layer decided the same.');
  out.push('', r.differences.length ? 'Differences' : 'No difference in what the decision reads.');
  const w = Math.max(8, ...r.differences.map((d) => d.aspect.length)) + 2;
  for (const d of r.differences) out.push(`  ${d.aspect.padEnd(w)}A: ${d.a}`, `  ${''.padEnd(w)}B: ${d.b}`);
  return out.join('\n') + '\n';
}
