import type { Config } from '../../config/schema.ts';
import type { Candidate, DenialCase } from '../candidates.ts';
import { updateAt } from './config-edit.ts';

const MAX_ROLE_TRIALS = 20;

/** The missing scope on the same consumer's credential (the key owner), or a role that grants the permission (the tenant admin). */
export function authzProposals(c: DenialCase): Candidate[] {
  const id = c.trial.ctx.identity;
  if (!id) return [];
  const d = c.trial.decision;
  const out: Candidate[] = [];
  if (d.code === 'authz.explicit_deny') return denyRuleProposals(c, d.rule?.id ?? '', id.consumer);
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
}

/**
 * A deny rule, wherever declared (the rule id says where: route:<id>:authz.deny.<rule>,
 * authz.deny.<rule>, tenants.<name>.deny.<rule>): the operator can remove it, or exempt the
 * caller (except.consumers). Explain runs the request again under each change.
 */
function denyRuleProposals(c: DenialCase, ruleId: string, consumer: string): Candidate[] {
  const at = denyRuleList(c.config, ruleId);
  if (!at) return [];
  const { list, name } = at;
  const index = (cfg: Config) => ((readAt(cfg, list) as { id: string }[] | undefined) ?? []).findIndex((r) => r.id === name);
  const i = index(c.config);
  if (i === -1) return [];
  const where = `${list.map((p, j) => (typeof p === 'number' ? `[${p}]` : j ? `.${p}` : p)).join('')}[${i}]`;
  return [
    {
      who: 'operator',
      action: `Remove deny rule ${name} (${where}).`,
      config: (cfg) => updateAt(cfg, list, (rules) => (rules as { id: string }[]).filter((r) => r.id !== name)),
    },
    {
      who: 'operator',
      action: `Exempt ${consumer} from deny rule ${name} (add it to ${where}.except.consumers).`,
      config: (cfg) =>
        updateAt(cfg, [...list, i], (rule) => {
          const r = rule as { except?: { consumers?: string[] } };
          return { ...r, except: { ...r.except, consumers: [...(r.except?.consumers ?? []), consumer] } };
        }),
    },
  ];
}

function denyRuleList(config: Config, ruleId: string): { list: (string | number)[]; name: string } | undefined {
  let m = /^authz\.deny\.(.+)$/.exec(ruleId);
  if (m) return { list: ['authz', 'deny'], name: m[1] };
  for (const tenant of Object.keys(config.tenants)) {
    const prefix = `tenants.${tenant}.deny.`;
    if (ruleId.startsWith(prefix)) return { list: ['tenants', tenant, 'deny'], name: ruleId.slice(prefix.length) };
  }
  m = /^route:(.+):authz\.deny\.(.+)$/.exec(ruleId);
  if (m) {
    const route = config.routes.findIndex((r) => r.id === m![1]);
    if (route !== -1) return { list: ['routes', route, 'authz', 'deny'], name: m[2] };
  }
  return undefined;
}

function readAt(cfg: unknown, path: (string | number)[]): unknown {
  let at = cfg;
  for (const p of path) at = (at as Record<string | number, unknown> | undefined)?.[p];
  return at;
}
