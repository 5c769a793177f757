import type { Config } from '../config/schema.ts';
import type { FixActor } from '../decision/types.ts';
import type { Assumed, RequestDescription } from '../pipeline/types.ts';
import type { Trial } from './run.ts';

/**
 * A change that might let a denied request through: to the request (what the client can
 * do), to who sends it (a credential with other scopes), or to the config (what the tenant
 * admin or operator can do). Explain tries each by running the changed request again.
 */
export interface Candidate {
  who: FixActor;
  action: string;
  request?: (req: RequestDescription) => RequestDescription;
  assume?: Assumed;
  config?: (config: Config) => Config;
}

/** What explain knows of a denial, to propose changes: the trial that was denied and the config. */
export interface DenialCase {
  trial: Trial;
  config: Config;
  /** --as: the consumer the user asked about, if any. */
  as?: string;
}

type Proposer = (c: DenialCase) => Candidate[];

const MAX_ROLE_TRIALS = 20;

/**
 * Proposers by the layer of the denying code (a code's prefix is its layer). A layer with no
 * proposer here still has its own fixes in the decision; explain shows them as unproved.
 */
const PROPOSERS: Record<string, Proposer> = {
  method(c) {
    const allow = c.trial.decision.headers?.allow;
    const route = routeOf(c);
    const out: Candidate[] = (allow ? allow.split(', ') : []).filter((m) => m !== 'HEAD').map((m) => ({
      who: 'client' as const,
      action: `Send it as ${m}.`,
      request: (r: RequestDescription) => ({ ...r, method: m }),
    }));
    const method = c.trial.decision.method;
    if (route && c.config.routes[route.index]?.methods) {
      out.push({
        who: 'operator',
        action: `Add ${method} to routes[${route.index}] (${route.id}).methods.`,
        config: (cfg) => withRoute(cfg, route.index, (rc) => ({ ...rc, methods: [...(rc.methods ?? []), method as never] })),
      });
    }
    return out;
  },

  authn(c) {
    const d = c.trial.decision;
    const code = d.code ?? '';
    if (code === 'authn.consumer_suspended' && d.consumer) {
      const name = d.consumer;
      return [{ who: 'tenant_admin', action: `Set consumers.${name}.status to active.`, config: (cfg) => ({ ...cfg, consumers: { ...cfg.consumers, [name]: { ...cfg.consumers[name], status: 'active' } } }) }];
    }
    if (code === 'authn.tenant_suspended' && d.tenant && c.config.tenants[d.tenant]) {
      const name = d.tenant;
      return [{ who: 'operator', action: `Set tenants.${name}.status to active.`, config: (cfg) => ({ ...cfg, tenants: { ...cfg.tenants, [name]: { ...cfg.tenants[name], status: 'active' } } }) }];
    }
    // A credential that did not check out: would a valid one of the same (or the asked) consumer pass?
    const who = c.as ?? d.consumer;
    if (!who) return [];
    return [{
      who: 'client',
      action: `Send a valid credential of ${who} (a new API key or token of it).`,
      assume: { consumer: who, credential: `explain:valid-credential-of:${who}`, scopes: ['*'] },
    }];
  },

  authz(c) {
    const id = c.trial.ctx.identity;
    if (!id) return [];
    const d = c.trial.decision;
    const out: Candidate[] = [];
    const required = (d.extensions?.required as string[] | undefined) ?? [];
    if (d.code === 'authz.scope_missing' && required.length) {
      const scopes = [...new Set([...id.scopes, ...required])];
      out.push({
        who: 'key_owner',
        action: `Use a credential of ${id.consumer} that also has scope ${required.join(', ')} (its ${id.credential} has ${id.scopes.join(', ') || 'none'}).`,
        assume: { consumer: id.consumer, credential: id.credential, scopes },
      });
    }
    if ((d.code === 'authz.permission_missing' || d.code === 'authz.role_missing') && c.config.consumers[id.consumer]) {
      const held = new Set(id.roles);
      const roles = Object.keys((c.config as { roles?: Record<string, unknown> }).roles ?? {}).filter((r) => !held.has(r)).slice(0, MAX_ROLE_TRIALS);
      for (const role of roles) {
        out.push({
          who: 'tenant_admin',
          action: `Give ${id.consumer} the role ${role} (consumers.${id.consumer}.roles).`,
          config: (cfg) => ({ ...cfg, consumers: { ...cfg.consumers, [id.consumer]: { ...cfg.consumers[id.consumer], roles: [...cfg.consumers[id.consumer].roles, role] } } }),
          // The same credential: a key's scopes still apply.
          assume: { consumer: id.consumer, credential: id.credential, scopes: id.via === 'basic' || id.via === 'session' ? ['*'] : id.scopes },
        });
      }
    }
    return out;
  },
};

/**
 * IP lists: the rule id is the list's config path (`ip.deny[0]`, `routes[2].ip.allow`), so the
 * operator's change (drop the deny entry, add the address to the allow list) is made on a copy
 * of the config and tried.
 */
PROPOSERS.ip = (c) => {
  const d = c.trial.decision;
  const rule = d.rule?.id ?? '';
  const deny = /^(.*)\.deny\[(\d+)\]$/.exec(rule);
  if (deny) {
    const path = [...configPath(deny[1]), 'deny'];
    const index = Number(deny[2]);
    return [{ who: 'operator', action: `Remove entry ${index} of ${deny[1]}.deny.`, config: (cfg) => updateAt(cfg, path, (list) => (list as unknown[]).filter((_, i) => i !== index)) }];
  }
  const allow = /^(.*)\.allow$/.exec(rule);
  const address = c.trial.ctx.req.clientIp;
  if (allow && address) {
    const path = [...configPath(allow[1]), 'allow'];
    return [{ who: 'operator', action: `Add ${address} to ${allow[1]}.allow.`, config: (cfg) => updateAt(cfg, path, (list) => [...((list as string[] | undefined) ?? []), address]) }];
  }
  return [];
};

/**
 * WAF: the evidence names each field that added to the score (`body.note (/note)`) and its
 * rule. Explain tries the request without those body fields (what triggers the block, as
 * bisect would find it) and the operator's exclusion of each rule on each field.
 */
PROPOSERS.waf = (c) => {
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
};

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

/** `routes[2].ip` → ['routes', 2, 'ip']. */
function configPath(text: string): (string | number)[] {
  return text.split('.').flatMap((part) => {
    const m = /^([^[]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) return [part];
    const idx = [...m[2].matchAll(/\[(\d+)\]/g)].map((x) => Number(x[1]));
    return [...(m[1] ? [m[1]] : []), ...idx];
  });
}

/** A copy of the config with the value at `path` replaced (every object on the way copied). */
function updateAt(cfg: Config, path: (string | number)[], change: (v: unknown) => unknown): Config {
  const step = (node: unknown, i: number): unknown => {
    if (i === path.length) return change(node);
    const key = path[i];
    if (Array.isArray(node)) return node.map((x, j) => (j === key ? step(x, i + 1) : x));
    const obj = (node ?? {}) as Record<string, unknown>;
    return { ...obj, [key]: step(obj[key as string], i + 1) };
  };
  return step(cfg, 0) as Config;
}

export function proposals(c: DenialCase): Candidate[] {
  const layer = c.trial.decision.layer;
  return layer && PROPOSERS[layer] ? PROPOSERS[layer](c) : [];
}

function routeOf(c: DenialCase): { id: string; index: number } | undefined {
  const ids = c.trial.decision.route?.split(',') ?? [];
  for (const id of ids) {
    const index = c.config.routes.findIndex((r) => r.id === id);
    if (index !== -1) return { id, index };
  }
  return undefined;
}

function withRoute(cfg: Config, index: number, change: (rc: Config['routes'][number]) => Config['routes'][number]): Config {
  return { ...cfg, routes: cfg.routes.map((rc, i) => (i === index ? change(rc) : rc)) };
}
