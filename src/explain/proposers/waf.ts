import type { Candidate, DenialCase } from '../candidates.ts';
import type { RequestDescription } from '../../pipeline/types.ts';
import { routeOf, updateAt } from './config-edit.ts';

/**
 * WAF: the evidence names each field that added to the score (`body.note (/note)`) and its
 * rule. Explain tries the request without those body fields (what triggers the block, as
 * bisect would find it) and the operator's exclusion of each rule on each field.
 */
export function wafProposals(c: DenialCase): Candidate[] {
  const d = c.trial.decision;
  const hits = d.evidence.flatMap((e) => {
    const m = /^(\S+)(?: \((\/[^)]*)\))?$/.exec(e.where);
    const rule = /^no match of (\S+)/.exec(e.expected)?.[1];
    return m && rule ? [{ field: m[1], pointer: m[2], rule }] : [];
  });
  const out: Candidate[] = [];
  const pointers = hits.filter((h) => h.pointer !== undefined && h.field.startsWith('body.')).map((h) => h.pointer!);
  if (pointers.length) {
    out.push({
      who: 'client',
      action: `The block comes from ${hits.filter((h) => h.pointer).map((h) => h.field).join(', ')}: without ${pointers.length > 1 ? 'them' : 'it'} the request is not blocked.`,
      request: (r) => withoutJsonFields(r, pointers),
    });
  }
  const route = routeOf(c);
  if (route && hits.length) {
    const exclusions = hits.map((h) => ({ rule: h.rule, field: h.field.replace(/\[\d+\]/g, '[*]') }));
    out.push({
      who: 'operator',
      action: `If it is a false positive: routes[${route.index}] (${route.id}) waf.exclusions += ${exclusions.map((e) => `{ rule: ${e.rule}, field: "${e.field}" }`).join(', ')}.`,
      config: (cfg) => updateAt(cfg, ['routes', route.index, 'waf'], (w) => {
        const waf = (w ?? {}) as { exclusions?: unknown[] };
        return { ...waf, exclusions: [...(waf.exclusions ?? []), ...exclusions] };
      }),
    });
  }
  return out;
}

/** The request with these JSON pointers removed from its JSON body (unchanged when the body is not JSON). */
function withoutJsonFields(r: RequestDescription, pointers: string[]): RequestDescription {
  if (!r.rawBody) return r;
  let json: unknown;
  try {
    json = JSON.parse(r.rawBody.toString('utf8'));
  } catch {
    return r;
  }
  for (const p of pointers) json = removePointer(json, p.split('/').slice(1).map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~')));
  const body = Buffer.from(JSON.stringify(json));
  return { ...r, rawBody: body, headers: { ...r.headers, 'content-length': String(body.length) } };
}

function removePointer(v: unknown, path: string[]): unknown {
  if (path.length === 0 || v === null || typeof v !== 'object') return v;
  const [head, ...rest] = path;
  if (Array.isArray(v)) {
    const i = Number(head);
    return rest.length === 0 ? v.filter((_, j) => j !== i) : v.map((x, j) => (j === i ? removePointer(x, rest) : x));
  }
  const o = v as Record<string, unknown>;
  if (rest.length === 0) {
    const { [head]: _gone, ...kept } = o;
    return kept;
  }
  return { ...o, [head]: removePointer(o[head], rest) };
}

